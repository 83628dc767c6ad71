#include "image/tarball.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <algorithm>
#include <memory>
#include <optional>
#include <sys/stat.h>

#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "sys/fs.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxMetadataBytes = 1 << 20;

struct ReadArchiveDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteArchiveDeleter {
    void operator()(archive* a) const { archive_write_free(a); }
};
using ReadArchive = std::unique_ptr<archive, ReadArchiveDeleter>;
using WriteArchive = std::unique_ptr<archive, WriteArchiveDeleter>;

ReadArchive open_tarball(const fs::path& tarball) {
    ReadArchive a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open_filename(a.get(), tarball.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error::invalid(tarball.string(), fmt::format("cannot read image {}: {}", tarball.string(),
                                                           archive_error_string(a.get())));
    return a;
}

// The entry's path without a leading "./", checked: relative, no "..", inside the known parts.
enum class Part { Metadata, Rootfs, Templates, Other };

std::string clean_path(const char* raw) {
    std::string p = raw ? raw : "";
    while (p.rfind("./", 0) == 0) p.erase(0, 2);
    while (!p.empty() && p.back() == '/') p.pop_back();
    return p;
}

void check_relative(const std::string& path, const fs::path& tarball) {
    if (path.empty() || path.front() == '/')
        throw Error::invalid(path, fmt::format("image {} has an entry with an absolute path: \"{}\"", tarball.string(), path));
    for (const auto& part : fs::path(path)) {
        if (part == "..")
            throw Error::invalid(path, fmt::format("image {} has an entry escaping its directory: \"{}\"", tarball.string(), path));
    }
}

Part classify(const std::string& path) {
    if (path == "metadata.yaml") return Part::Metadata;
    if (path == "rootfs" || path.rfind("rootfs/", 0) == 0) return Part::Rootfs;
    if (path == "templates" || path.rfind("templates/", 0) == 0) return Part::Templates;
    return Part::Other;
}

std::string read_entry_data(archive* a, size_t limit, const std::string& name) {
    std::string data;
    char buf[65536];
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, sizeof buf);
        if (n < 0) throw Error::invalid(name, fmt::format("reading {}: {}", name, archive_error_string(a)));
        if (n == 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (data.size() > limit) throw Error::invalid(name, fmt::format("{} is larger than {} bytes", name, limit));
    }
    return data;
}

}  // namespace

ImageMetadata inspect_unified_tarball(const fs::path& tarball) {
    ReadArchive a = open_tarball(tarball);
    archive_entry* entry;
    std::optional<ImageMetadata> metadata;
    bool has_rootfs = false;
    int r;
    while ((r = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
        std::string path = clean_path(archive_entry_pathname(entry));
        if (path.empty()) continue;  // the "./" entry
        check_relative(path, tarball);
        if (const char* link = archive_entry_hardlink(entry)) check_relative(clean_path(link), tarball);
        Part part = classify(path);
        if (part == Part::Metadata)
            metadata = parse_image_metadata(read_entry_data(a.get(), kMaxMetadataBytes, "metadata.yaml"));
        else if (part == Part::Rootfs)
            has_rootfs = true;
    }
    if (r != ARCHIVE_EOF)
        throw Error::invalid(tarball.string(), fmt::format("image {} is not a valid tarball: {}", tarball.string(),
                                                           archive_error_string(a.get())));
    if (!metadata) throw Error::invalid("metadata.yaml", fmt::format("image {} has no metadata.yaml", tarball.string()));
    if (!has_rootfs)
        throw Error::invalid("rootfs", fmt::format("image {} has no rootfs/ (split images are not supported yet)", tarball.string()));
    return *metadata;
}

void unpack_unified_tarball(const fs::path& tarball, const fs::path& dest, OperationContext& ctx,
                            const std::string& progress_key) {
    Reverter revert;
    if (::mkdir(dest.c_str(), 0755) != 0) throw Error::from_errno(fmt::format("creating {}", dest.string()), errno);
    revert.add([dest] { remove_tree(dest); });

    ReadArchive a = open_tarball(tarball);
    WriteArchive disk(archive_write_disk_new());
    // Numeric owners only (no name lookups against the host's passwd), and refuse any entry that
    // would land outside dest. Entries are rewritten to absolute paths below dest after
    // check_relative() vetted them, so libarchive's own absolute-path check cannot be used.
    archive_write_disk_set_options(disk.get(),
        ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
        ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
        ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    archive_entry* entry;
    int r;
    const double total = static_cast<double>(std::max<uintmax_t>(fs::file_size(tarball), 1));
    ctx.progress(progress_key, "Unpack", 0);
    while ((r = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
        ctx.check_cancelled();
        ctx.progress(progress_key, "Unpack", static_cast<int>(100.0 * archive_filter_bytes(a.get(), -1) / total));
        std::string path = clean_path(archive_entry_pathname(entry));
        if (path.empty()) continue;
        check_relative(path, tarball);
        if (classify(path) == Part::Other) continue;
        archive_entry_copy_pathname(entry, (dest / path).c_str());
        if (const char* link = archive_entry_hardlink(entry)) {
            std::string target = clean_path(link);
            check_relative(target, tarball);
            archive_entry_copy_hardlink(entry, (dest / target).c_str());
        }
        if (archive_write_header(disk.get(), entry) != ARCHIVE_OK)
            throw Error::invalid(path, fmt::format("unpacking \"{}\" from {}: {}", path, tarball.string(),
                                                   archive_error_string(disk.get())));
        const void* buf;
        size_t size;
        la_int64_t offset;
        int d;
        while ((d = archive_read_data_block(a.get(), &buf, &size, &offset)) == ARCHIVE_OK) {
            // Large files are where the time goes: report and check for cancellation between their blocks too.
            ctx.check_cancelled();
            ctx.progress(progress_key, "Unpack", static_cast<int>(100.0 * archive_filter_bytes(a.get(), -1) / total));
            if (archive_write_data_block(disk.get(), buf, size, offset) != ARCHIVE_OK)
                throw Error(ErrorCode::System, fmt::format("writing \"{}\": {}", path, archive_error_string(disk.get())));
        }
        if (d != ARCHIVE_EOF)
            throw Error::invalid(path, fmt::format("reading \"{}\" from {}: {}", path, tarball.string(), archive_error_string(a.get())));
        if (archive_write_finish_entry(disk.get()) != ARCHIVE_OK)
            throw Error(ErrorCode::System, fmt::format("finishing \"{}\": {}", path, archive_error_string(disk.get())));
    }
    if (r != ARCHIVE_EOF)
        throw Error::invalid(tarball.string(), fmt::format("image {} is not a valid tarball: {}", tarball.string(),
                                                           archive_error_string(a.get())));
    if (archive_write_close(disk.get()) != ARCHIVE_OK)
        throw Error(ErrorCode::System, fmt::format("unpacking {}: {}", tarball.string(), archive_error_string(disk.get())));
    ctx.progress(progress_key, "Unpack", 100);
    revert.success();
}

}  // namespace li
