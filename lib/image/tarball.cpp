#include "image/tarball.hpp"
#include "image/archive_guard.hpp"

#include "image/archive_api.hpp"
#include <fmt/format.h>
#include <algorithm>
#include <memory>
#include <set>
#include <sys/stat.h>

#include "libinstance/error.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxMetadataBytes = 1 << 20;

ReadArchive open_archive(const fs::path& file) { return open_untrusted_tar(file, "image"); }

[[noreturn]] void corrupt(archive* a, const fs::path& file) { archive_corrupt(a, file, "image"); }

std::string compression_name(archive* a) {
    switch (libarchive().archive_filter_code(a, 0)) {
        case ARCHIVE_FILTER_NONE: return "none";
        case ARCHIVE_FILTER_GZIP: return "gzip";
        case ARCHIVE_FILTER_XZ: return "xz";
        case ARCHIVE_FILTER_ZSTD: return "zstd";
        case ARCHIVE_FILTER_BZIP2: return "bzip2";
        case ARCHIVE_FILTER_LZMA: return "lzma";
        case ARCHIVE_FILTER_LZ4: return "lz4";
        default: return libarchive().archive_filter_name(a, 0) ? libarchive().archive_filter_name(a, 0) : "unknown";
    }
}

// The entry's path without leading "./" or trailing "/".
std::string clean_path(const char* raw) {
    std::string p = clean_archive_path(raw);
    if (p == ".") p.clear();
    return p;
}

enum class Part { Metadata, Rootfs, Templates, Boot, Other };

Part classify(const std::string& path) {
    if (path == "metadata.yaml") return Part::Metadata;
    if (path == "rootfs" || path.rfind("rootfs/", 0) == 0) return Part::Rootfs;
    if (path == "templates" || path.rfind("templates/", 0) == 0) return Part::Templates;
    // A VM image's kernel and initrd (our debian-vm builder), booted directly by the driver.
    if (path == "boot" || path.rfind("boot/", 0) == 0) return Part::Boot;
    return Part::Other;
}

const char* kind_name(mode_t type) { return archive_kind_name(type); }

// Decides, entry by entry, what an archive may write and where; throws on anything hostile.
// Paths it returns are relative to the image's unpack directory ("rootfs/etc/passwd").
class EntryGuard {
public:
    EntryGuard(const fs::path& file, ArchiveRole role, const UnpackLimits& limits)
        : file_(file), role_(role), guard_(file, "image", limits) {}

    struct Admitted {
        std::string path;
        std::string hardlink;  // empty unless a hard link
        Part part;
    };

    std::optional<Admitted> admit(archive_entry* e) {
        std::string raw = clean_path(libarchive().archive_entry_pathname(e));
        guard_.check_relative(raw, raw);
        std::string path;
        if (role_ == ArchiveRole::Rootfs) {
            path = raw.empty() ? std::string("rootfs") : "rootfs/" + raw;
        } else {
            if (raw.empty()) return std::nullopt;  // the "./" entry
            path = raw;
        }
        Part part = classify(path);
        if (part == Part::Other || (role_ == ArchiveRole::Metadata && part == Part::Rootfs) ||
            (role_ != ArchiveRole::Metadata && part == Part::Boot))
            return std::nullopt;

        mode_t type = libarchive().archive_entry_filetype(e);
        const char* link = libarchive().archive_entry_hardlink(e);
        if (part != Part::Rootfs) {
            if (link)
                throw Error::invalid(path, fmt::format("image {} has a hard link in its metadata: \"{}\"", file_.string(), path));
            if (path == "metadata.yaml" && type != AE_IFREG)
                throw Error::invalid(path, fmt::format("image {}: metadata.yaml is a {}, not a regular file", file_.string(),
                                                       kind_name(type)));
            if (type != AE_IFREG && type != AE_IFDIR)
                throw Error::invalid(path, fmt::format("image {} has a {} in its metadata: \"{}\"", file_.string(),
                                                       kind_name(type), path));
        } else if (path == "rootfs" && type != AE_IFDIR && !link) {
            throw Error::invalid(path, fmt::format("image {}: its rootfs is a {}, not a directory", file_.string(), kind_name(type)));
        }
        guard_.check_not_through_symlink(path, path);

        Admitted out{path, {}, part};
        if (link) {
            std::string target = clean_path(link);
            guard_.check_relative(target, target);
            if (role_ == ArchiveRole::Rootfs) target = target.empty() ? std::string("rootfs") : "rootfs/" + target;
            if (classify(target) != Part::Rootfs)
                throw Error::invalid(path, fmt::format("image {} has a hard link \"{}\" leaving the rootfs (to \"{}\")",
                                                       file_.string(), path, target));
            guard_.check_not_through_symlink(target, path);
            guard_.check_hardlink_data(e, path, target);
            out.hardlink = target;
        }
        guard_.note_entry(e, path);
        guard_.check_entry_size(e, path);
        return out;
    }

    // Called with the uncompressed bytes read so far.
    void account(uint64_t unpacked) const { guard_.account(unpacked); }
    const ArchiveGuard& checks() const { return guard_; }

private:
    fs::path file_;
    ArchiveRole role_;
    ArchiveGuard guard_;
};

std::string read_entry_data(archive* a, EntryGuard& guard, size_t limit, const std::string& name, const fs::path& file) {
    std::string data;
    char buf[65536];
    for (;;) {
        la_ssize_t n = libarchive().archive_read_data(a, buf, sizeof buf);
        if (n < 0) corrupt(a, file);
        if (n == 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (data.size() > limit) throw Error::invalid(name, fmt::format("{} is larger than {} bytes", name, limit));
        guard.account(static_cast<uint64_t>(libarchive().archive_filter_bytes(a, 0)));
    }
    return data;
}

}  // namespace

uint64_t UnpackLimits::limit_for(uint64_t compressed_size) const {
    if (max_ratio == 0) return max_bytes;
    uint64_t by_ratio = compressed_size > UINT64_MAX / max_ratio ? UINT64_MAX : compressed_size * max_ratio;
    return std::min(max_bytes, std::max(by_ratio, ratio_floor));
}

std::string archive_compression(const fs::path& file) {
    ReadArchive a = open_archive(file);
    archive_entry* entry;
    int r = libarchive().archive_read_next_header(a.get(), &entry);
    if (r != ARCHIVE_OK && r != ARCHIVE_EOF) corrupt(a.get(), file);
    return compression_name(a.get());
}

ArchiveScan scan_archive(const fs::path& file, ArchiveRole role, const UnpackLimits& limits) {
    ReadArchive a = open_archive(file);
    EntryGuard guard(file, role, limits);
    ArchiveScan scan;
    archive_entry* entry;
    int r;
    while ((r = libarchive().archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
        if (scan.compression.empty()) scan.compression = compression_name(a.get());
        auto admitted = guard.admit(entry);
        if (admitted && admitted->part == Part::Metadata) {
            scan.metadata_yaml = read_entry_data(a.get(), guard, kMaxMetadataBytes, "metadata.yaml", file);
            continue;
        }
        if (admitted && admitted->part == Part::Rootfs) scan.has_rootfs = true;
        guard.checks().drain(a.get());
    }
    if (r != ARCHIVE_EOF) corrupt(a.get(), file);
    // libarchive reads a few bytes of anything as an empty tar; an image is never empty.
    if (libarchive().archive_file_count(a.get()) == 0)
        throw Error::invalid(file.string(), fmt::format("image {} is empty or not a tarball", file.string()));
    if (scan.compression.empty()) scan.compression = compression_name(a.get());
    scan.unpacked_bytes = static_cast<uint64_t>(libarchive().archive_filter_bytes(a.get(), 0));
    guard.account(scan.unpacked_bytes);
    return scan;
}

void unpack_archive(const fs::path& file, ArchiveRole role, const fs::path& dest, const UnpackLimits& limits,
                    const UnpackProgress& progress) {
    ReadArchive a = open_archive(file);
    EntryGuard guard(file, role, limits);
    WriteArchive disk = open_disk_writer();
    if (role == ArchiveRole::Rootfs) {
        std::error_code ec;
        fs::create_directory(dest / "rootfs", ec);
        if (ec) throw Error(ErrorCode::System, fmt::format("creating {}: {}", (dest / "rootfs").string(), ec.message()));
    }
    archive_entry* entry;
    int r;
    while ((r = libarchive().archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
        if (progress) progress(static_cast<uint64_t>(libarchive().archive_filter_bytes(a.get(), -1)));
        auto admitted = guard.admit(entry);
        if (!admitted) {
            guard.checks().drain(a.get());
            continue;
        }
        const std::string& path = admitted->path;
        libarchive().archive_entry_copy_pathname(entry, (dest / path).c_str());
        if (!admitted->hardlink.empty()) libarchive().archive_entry_copy_hardlink(entry, (dest / admitted->hardlink).c_str());
        guard.checks().unpack_entry(a.get(), disk.get(), entry, path, progress);
    }
    if (r != ARCHIVE_EOF) corrupt(a.get(), file);
    close_disk_writer(disk.get(), file);
}

}  // namespace li
