// Backup tarballs through libarchive (see backup_archive.hpp).
#include "backup/backup_archive.hpp"

#include "image/archive_api.hpp"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "image/archive_guard.hpp"
#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li::backup {

namespace fs = std::filesystem;

namespace {

using EntryPtr = ArchiveEntryPtr;

[[noreturn]] void fail(archive* a, const std::string& what) { archive_fail(a, what); }

constexpr size_t kBlock = 1 << 20;

}  // namespace

void validate_compression_algorithm(std::string_view compression) {
    for (const char* known : {"gzip", "xz", "zstd", "bzip2", "none"})
        if (compression == known) return;
    throw Error::invalid("compression_algorithm",
                         fmt::format("unknown compression algorithm \"{}\" (use gzip, xz, zstd, bzip2 or none)", compression));
}

// --- Writing --------------------------------------------------------------------------------

struct ArchiveWriter::State {
    WriteArchive out{libarchive().archive_write_new()};
    LinkResolverPtr resolver{libarchive().archive_entry_linkresolver_new()};
    fs::path file;
    Progress progress;
    uint64_t done = 0;
    bool closed = false;

    void copy_data(archive* data_source, int fd, const std::string& name) {
        std::vector<char> buf(kBlock);
        for (;;) {
            la_ssize_t n = data_source ? libarchive().archive_read_data(data_source, buf.data(), buf.size())
                                       : ::read(fd, buf.data(), buf.size());
            if (n < 0) {
                if (!data_source && errno == EINTR) continue;
                if (data_source) fail(data_source, fmt::format("reading {}", name));
                throw Error::from_errno(fmt::format("reading {}", name), errno);
            }
            if (n == 0) break;
            if (libarchive().archive_write_data(out.get(), buf.data(), static_cast<size_t>(n)) < 0)
                fail(out.get(), fmt::format("writing {}", name));
            done += static_cast<uint64_t>(n);
            if (progress) progress(done);
        }
    }
};

ArchiveWriter::ArchiveWriter(const fs::path& file, std::string_view compression, Progress progress)
    : state_(std::make_unique<State>()) {
    validate_compression_algorithm(compression);
    state_->file = file;
    state_->progress = std::move(progress);
    archive* a = state_->out.get();
    int r = ARCHIVE_OK;
    if (compression == "gzip") r = libarchive().archive_write_add_filter_gzip(a);
    else if (compression == "xz") r = libarchive().archive_write_add_filter_xz(a);
    else if (compression == "zstd") r = libarchive().archive_write_add_filter_zstd(a);
    else if (compression == "bzip2") r = libarchive().archive_write_add_filter_bzip2(a);
    else r = libarchive().archive_write_add_filter_none(a);
    if (r != ARCHIVE_OK) fail(a, fmt::format("enabling {} compression", compression));
    // pax keeps what ustar cannot: long names, large ids, xattrs (security.capability) and ACLs.
    libarchive().archive_write_set_format_pax_restricted(a);
    if (libarchive().archive_write_open_filename(a, file.c_str()) != ARCHIVE_OK) fail(a, fmt::format("creating {}", file.string()));
    libarchive().archive_entry_linkresolver_set_strategy(state_->resolver.get(), libarchive().archive_format(a));
}

ArchiveWriter::~ArchiveWriter() {
    if (!state_->closed) {
        state_->out.reset();
        std::error_code ec;
        fs::remove(state_->file, ec);
    }
}

void ArchiveWriter::add_file(const std::string& name, std::string_view content) {
    EntryPtr e(libarchive().archive_entry_new());
    libarchive().archive_entry_set_pathname(e.get(), name.c_str());
    libarchive().archive_entry_set_filetype(e.get(), AE_IFREG);
    libarchive().archive_entry_set_perm(e.get(), 0644);
    libarchive().archive_entry_set_mtime(e.get(), ::time(nullptr), 0);
    libarchive().archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    if (libarchive().archive_write_header(state_->out.get(), e.get()) != ARCHIVE_OK ||
        (!content.empty() && libarchive().archive_write_data(state_->out.get(), content.data(), content.size()) < 0))
        fail(state_->out.get(), fmt::format("writing {}", name));
}

void ArchiveWriter::add_dir(const std::string& name) {
    EntryPtr e(libarchive().archive_entry_new());
    libarchive().archive_entry_set_pathname(e.get(), name.c_str());
    libarchive().archive_entry_set_filetype(e.get(), AE_IFDIR);
    libarchive().archive_entry_set_perm(e.get(), 0700);
    libarchive().archive_entry_set_mtime(e.get(), ::time(nullptr), 0);
    if (libarchive().archive_write_header(state_->out.get(), e.get()) != ARCHIVE_OK) fail(state_->out.get(), fmt::format("writing {}", name));
}

void ArchiveWriter::add_disk_file(const std::string& name, const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error::from_errno(fmt::format("opening {}", path.string()), errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw Error::from_errno(fmt::format("stat {}", path.string()), errno);
    EntryPtr e(libarchive().archive_entry_new());
    libarchive().archive_entry_set_pathname(e.get(), name.c_str());
    libarchive().archive_entry_set_filetype(e.get(), AE_IFREG);
    libarchive().archive_entry_set_perm(e.get(), 0600);
    libarchive().archive_entry_set_mtime(e.get(), st.st_mtime, 0);
    libarchive().archive_entry_set_size(e.get(), st.st_size);
    if (libarchive().archive_write_header(state_->out.get(), e.get()) != ARCHIVE_OK) fail(state_->out.get(), fmt::format("writing {}", name));
    state_->copy_data(nullptr, fd.get(), name);
}

void ArchiveWriter::add_tree(const fs::path& dir, const std::string& name, bool skip_dot_entries,
                             const std::vector<std::string>& skip, const IdMap* shifted_by) {
    // Each top-level entry is walked on its own: an instance's rootfs/ is often a mount of its
    // own (a dir pool's overlay), and walks do not cross mounts (a running container's /proc).
    walk(dir, name, true, shifted_by);
    std::vector<fs::path> children;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::string child = e.path().filename().string();
        if ((skip_dot_entries && child.starts_with(".")) || std::find(skip.begin(), skip.end(), child) != skip.end()) continue;
        children.push_back(e.path());
    }
    std::sort(children.begin(), children.end());
    for (const auto& child : children) walk(child, name + "/" + child.filename().string(), false, shifted_by);
}

void ArchiveWriter::walk(const fs::path& top, const std::string& name, bool top_only, const IdMap* shifted_by) {
    ReadArchive disk = open_disk_walk(top);
    const std::string base = top.string();
    for (;;) {
        EntryPtr e(libarchive().archive_entry_new());
        int r = libarchive().archive_read_next_header2(disk.get(), e.get());
        if (r == ARCHIVE_EOF) break;
        if (r == ARCHIVE_FATAL) fail(disk.get(), fmt::format("reading {}", top.string()));
        if (r == ARCHIVE_FAILED) continue;  // e.g. a file removed while walking a running instance
        if (!top_only) libarchive().archive_read_disk_descend(disk.get());
        std::string entry_name = rename_walked_entry(e.get(), base, name);
        if (shifted_by) {
            if (auto uid = to_container_id(*shifted_by, true, static_cast<uint64_t>(libarchive().archive_entry_uid(e.get()))))
                libarchive().archive_entry_set_uid(e.get(), static_cast<la_int64_t>(*uid));
            if (auto gid = to_container_id(*shifted_by, false, static_cast<uint64_t>(libarchive().archive_entry_gid(e.get()))))
                libarchive().archive_entry_set_gid(e.get(), static_cast<la_int64_t>(*gid));
        }
        archive_entry* entry = e.get();
        archive_entry* sparse = nullptr;
        libarchive().archive_entry_linkify(state_->resolver.get(), &entry, &sparse);
        if (entry) {
            int w = libarchive().archive_write_header(state_->out.get(), entry);
            if (w == ARCHIVE_FAILED) {
                if (top_only) break;
                continue;  // a socket: tar cannot hold one (LXD skips them too)
            }
            if (w != ARCHIVE_OK && w != ARCHIVE_WARN) fail(state_->out.get(), fmt::format("writing {}", entry_name));
            // A hard link to an inode already written carries no data.
            if (!libarchive().archive_entry_hardlink(entry) && libarchive().archive_entry_size(entry) > 0) state_->copy_data(disk.get(), -1, entry_name);
        }
        if (top_only) break;
    }
}

void ArchiveWriter::copy_entry(archive* source, archive_entry* entry) {
    std::string name = libarchive().archive_entry_pathname(entry) ? libarchive().archive_entry_pathname(entry) : "";
    int w = libarchive().archive_write_header(state_->out.get(), entry);
    if (w != ARCHIVE_OK && w != ARCHIVE_WARN) fail(state_->out.get(), fmt::format("writing {}", name));
    if (!libarchive().archive_entry_hardlink(entry) && libarchive().archive_entry_size(entry) > 0) state_->copy_data(source, -1, name);
}

void ArchiveWriter::close() {
    if (libarchive().archive_write_close(state_->out.get()) != ARCHIVE_OK) fail(state_->out.get(), fmt::format("writing {}", state_->file.string()));
    state_->closed = true;
}

// --- Reading --------------------------------------------------------------------------------

namespace {

ReadArchive open_archive(const fs::path& file) { return open_untrusted_tar(file, "backup"); }

[[noreturn]] void corrupt(archive* a, const fs::path& file) { archive_corrupt(a, file, "backup"); }

std::string clean_path(const char* raw) { return clean_archive_path(raw); }

const char* kind_name(mode_t type) { return archive_kind_name(type); }

// The part an entry belongs to: "backup/container", "backup/snapshots/snap0", "backup/volume",
// "backup/volume-snapshots/snap0"...; "" for backup/ itself and the files directly in it.
std::string part_of(const std::string& path) {
    std::vector<std::string> parts;
    for (const auto& p : fs::path(path)) parts.push_back(p.string());
    if (parts.size() < 2) return {};
    const std::string& second = parts[1];
    if (second.ends_with("-snapshots") || second == "snapshots") {
        if (parts.size() < 3) return {};
        return parts[0] + "/" + second + "/" + parts[2];
    }
    if (parts.size() == 2 && fs::path(second).has_extension()) return {};  // index.yaml, container.bin
    return parts[0] + "/" + second;
}

class EntryGuard {
public:
    EntryGuard(const fs::path& file, PartKind kind, const UnpackLimits& limits)
        : file_(file), kind_(kind), guard_(file, "backup", limits) {}

    struct Admitted {
        std::string path;
        std::string part;
        std::string hardlink;
    };

    Admitted admit(archive_entry* e) {
        std::string path = clean_path(libarchive().archive_entry_pathname(e));
        guard_.check_relative(path, path);
        if (path != "backup" && !path.starts_with("backup/"))
            throw Error::invalid(path, fmt::format("backup {} has an entry outside backup/: \"{}\"", file_.string(), path));
        mode_t type = libarchive().archive_entry_filetype(e);
        const char* link = libarchive().archive_entry_hardlink(e);
        Admitted out{path, part_of(path), {}};
        guard_.check_not_through_symlink(path, path);
        bool in_part_data = !out.part.empty() && path.size() > out.part.size();
        std::string rel = in_part_data ? path.substr(out.part.size() + 1) : std::string();
        const bool special_allowed = in_part_data && (kind_ == PartKind::Volume || rel == "rootfs" || rel.starts_with("rootfs/"));
        if (out.part.empty() || path == out.part) {
            // A file directly in backup/ or backup/snapshots/ (index.yaml, container.bin, snap0.bin).
            if (type == AE_IFREG && !link && path == out.part) out.part.clear();
            bool ok = !link && (type == AE_IFDIR || (out.part.empty() && type == AE_IFREG));
            if (!ok)
                throw Error::invalid(path, fmt::format("backup {}: \"{}\" is a {} where a directory or file of the backup's "
                                                       "own is expected", file_.string(), path, link ? "hard link" : kind_name(type)));
        } else if (!special_allowed && type != AE_IFREG && type != AE_IFDIR && !link) {
            throw Error::invalid(path, fmt::format("backup {} has a {} outside a rootfs: \"{}\"", file_.string(), kind_name(type), path));
        }
        if (link) {
            std::string target = clean_path(link);
            guard_.check_relative(target, path);
            if (out.part.empty() || !target.starts_with(out.part + "/"))
                throw Error::invalid(path, fmt::format("backup {} has a hard link \"{}\" leaving its part (to \"{}\")", file_.string(),
                                                       path, target));
            guard_.check_not_through_symlink(target, path);
            guard_.check_hardlink_data(e, path, target);
            out.hardlink = target;
        }
        guard_.note_entry(e, path);
        guard_.check_entry_size(e, path);
        return out;
    }

    void account(uint64_t unpacked) const { guard_.account(unpacked); }
    const ArchiveGuard& checks() const { return guard_; }

private:
    fs::path file_;
    PartKind kind_;
    ArchiveGuard guard_;
};

// Runs fn on every admitted entry; fn returns whether it consumed the entry's data.
void for_each_entry(const fs::path& file, PartKind kind, const UnpackLimits& limits,
                    const std::function<bool(archive*, archive_entry*, const EntryGuard::Admitted&, EntryGuard&)>& fn) {
    ReadArchive a = open_archive(file);
    EntryGuard guard(file, kind, limits);
    archive_entry* entry;
    int r;
    while ((r = libarchive().archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
        auto admitted = guard.admit(entry);
        if (!fn(a.get(), entry, admitted, guard)) guard.checks().drain(a.get());
    }
    if (r != ARCHIVE_EOF) corrupt(a.get(), file);
    guard.account(static_cast<uint64_t>(libarchive().archive_filter_bytes(a.get(), 0)));
}

}  // namespace

std::string read_index(const fs::path& file) {
    ReadArchive a = open_archive(file);
    archive_entry* entry;
    int r = libarchive().archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF)
        throw Error::invalid(file.string(), fmt::format("backup {} is empty or not a tarball", file.string()));
    if (r != ARCHIVE_OK) corrupt(a.get(), file);
    std::string first = clean_path(libarchive().archive_entry_pathname(entry));
    if (first != "backup/index.yaml")
        throw Error::invalid(first.empty() ? file.string() : first,
                             fmt::format("backup {} does not start with backup/index.yaml (its first entry is \"{}\")",
                                         file.string(), first));
    if (libarchive().archive_entry_filetype(entry) != AE_IFREG)
        throw Error::invalid(first, fmt::format("backup {}: backup/index.yaml is not a regular file", file.string()));
    constexpr size_t kMaxIndex = 16 << 20;
    std::string data;
    char buf[65536];
    for (;;) {
        la_ssize_t n = libarchive().archive_read_data(a.get(), buf, sizeof buf);
        if (n < 0) corrupt(a.get(), file);
        if (n == 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (data.size() > kMaxIndex)
            throw Error::invalid(first, fmt::format("backup {}: backup/index.yaml is larger than {} bytes", file.string(), kMaxIndex));
    }
    return data;
}

void scan_backup(const fs::path& file, PartKind kind, const UnpackLimits& limits) {
    for_each_entry(file, kind, limits, [](archive*, archive_entry*, const EntryGuard::Admitted&, EntryGuard&) { return false; });
}

bool unpack_part(const fs::path& file, const std::string& prefix, const fs::path& dest, PartKind kind, const UnpackLimits& limits,
                 const Progress& progress) {
    WriteArchive disk = open_disk_writer();
    bool found = false;
    for_each_entry(file, kind, limits, [&](archive* a, archive_entry* entry, const EntryGuard::Admitted& adm, EntryGuard& guard) {
        if (adm.part != prefix) return false;
        found = true;
        std::string rel = adm.path.size() > prefix.size() ? adm.path.substr(prefix.size() + 1) : std::string();
        fs::path target = rel.empty() ? dest : dest / rel;
        libarchive().archive_entry_copy_pathname(entry, target.c_str());
        if (!adm.hardlink.empty()) libarchive().archive_entry_copy_hardlink(entry, (dest / adm.hardlink.substr(prefix.size() + 1)).c_str());
        guard.checks().unpack_entry(a, disk.get(), entry, adm.path, progress);
        return true;
    });
    close_disk_writer(disk.get(), file);
    return found;
}

void extract_entry_to_fd(const fs::path& file, const std::string& name, int fd, const UnpackLimits& limits) {
    bool found = false;
    for_each_entry(file, PartKind::Volume, limits, [&](archive* a, archive_entry* entry, const EntryGuard::Admitted& adm, EntryGuard& guard) {
        if (adm.path != name || found) return false;
        if (libarchive().archive_entry_filetype(entry) != AE_IFREG)
            throw Error::invalid(name, fmt::format("backup {}: \"{}\" is not a regular file", file.string(), name));
        found = true;
        std::vector<char> buf(kBlock);
        for (;;) {
            la_ssize_t n = libarchive().archive_read_data(a, buf.data(), buf.size());
            if (n < 0) corrupt(a, file);
            if (n == 0) break;
            guard.account(static_cast<uint64_t>(libarchive().archive_filter_bytes(a, 0)));
            const char* p = buf.data();
            size_t left = static_cast<size_t>(n);
            while (left > 0) {
                ssize_t w = ::write(fd, p, left);
                if (w < 0) {
                    if (errno == EINTR) continue;
                    throw Error::from_errno(fmt::format("writing \"{}\"", name), errno);
                }
                p += w;
                left -= static_cast<size_t>(w);
            }
        }
        return true;
    });
    if (!found) throw Error::invalid(name, fmt::format("backup {} has no \"{}\"", file.string(), name));
}

bool has_entry(const fs::path& file, const std::string& name) {
    ReadArchive a = open_archive(file);
    archive_entry* entry;
    int r;
    while ((r = libarchive().archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK)
        if (clean_path(libarchive().archive_entry_pathname(entry)) == name) return true;
    return false;
}

}  // namespace li::backup
