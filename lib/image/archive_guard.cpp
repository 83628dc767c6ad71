#include "image/archive_guard.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace li {

namespace fs = std::filesystem;

std::string clean_archive_path(const char* raw) {
    std::string p = raw ? raw : "";
    while (p.rfind("./", 0) == 0) p.erase(0, 2);
    while (!p.empty() && p.back() == '/') p.pop_back();
    return p;
}

const char* archive_kind_name(mode_t type) {
    switch (type) {
        case AE_IFLNK: return "symlink";
        case AE_IFCHR: return "character device node";
        case AE_IFBLK: return "block device node";
        case AE_IFIFO: return "fifo";
        case AE_IFSOCK: return "socket";
        case AE_IFDIR: return "directory";
        default: return "file";
    }
}

ReadArchive open_untrusted_tar(const fs::path& file, const char* word) {
    ReadArchive a(libarchive().archive_read_new());
    libarchive().archive_read_support_filter_all(a.get());
    libarchive().archive_read_support_format_tar(a.get());
    libarchive().archive_read_support_format_gnutar(a.get());
    if (libarchive().archive_read_open_filename(a.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error::invalid(file.string(), fmt::format("cannot read {} {}: {}", word, file.string(), archive_message(a.get())));
    return a;
}

void archive_corrupt(archive* a, const fs::path& file, const char* word) {
    throw Error::invalid(file.string(), fmt::format("{} {} is truncated or not a valid tarball: {}", word, file.string(),
                                                    archive_message(a)));
}

WriteArchive open_disk_writer() {
    WriteArchive disk(libarchive().archive_write_disk_new());
    libarchive().archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                   ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS |
                                                   ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    return disk;
}

void close_disk_writer(archive* disk, const fs::path& file) {
    if (libarchive().archive_write_close(disk) != ARCHIVE_OK)
        throw Error(ErrorCode::System, fmt::format("unpacking {}: {}", file.string(), archive_message(disk)));
}

ArchiveGuard::ArchiveGuard(const fs::path& file, const char* word, const UnpackLimits& limits)
    : file_(file), word_(word), compressed_(fs::file_size(file)), limit_(limits.limit_for(compressed_)), limits_(limits) {}

void ArchiveGuard::check_relative(const std::string& path, const std::string& key) const {
    if (!path.empty() && path.front() == '/')
        throw Error::invalid(key, fmt::format("{} {} has an entry with an absolute path: \"{}\"", word_, file_.string(), path));
    for (const auto& part : fs::path(path))
        if (part == "..")
            throw Error::invalid(key, fmt::format("{} {} has an entry escaping its directory: \"{}\"", word_, file_.string(), path));
}

void ArchiveGuard::check_not_through_symlink(const std::string& path, const std::string& key) const {
    for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
        std::string prefix = path.substr(0, pos);
        if (symlinks_.count(prefix))
            throw Error::invalid(key, fmt::format("{} {} writes \"{}\" through the symlink \"{}\"", word_, file_.string(), path,
                                                  prefix));
    }
}

void ArchiveGuard::check_hardlink_data(archive_entry* e, const std::string& path, const std::string& target) const {
    // Data written to a hard link of a symlink would land wherever the symlink points.
    if (symlinks_.count(target) && libarchive().archive_entry_size(e) > 0)
        throw Error::invalid(path, fmt::format("{} {} writes data through \"{}\", a hard link to the symlink \"{}\"", word_,
                                               file_.string(), path, target));
}

void ArchiveGuard::note_entry(archive_entry* e, const std::string& path) {
    if (libarchive().archive_entry_filetype(e) == AE_IFLNK && !libarchive().archive_entry_hardlink(e)) symlinks_.insert(path);
}

void ArchiveGuard::check_entry_size(archive_entry* e, const std::string& path) const {
    if (libarchive().archive_entry_size_is_set(e) && static_cast<uint64_t>(std::max<la_int64_t>(libarchive().archive_entry_size(e), 0)) > limit_)
        too_large(static_cast<uint64_t>(libarchive().archive_entry_size(e)), &path);
}

void ArchiveGuard::account(uint64_t unpacked) const {
    if (unpacked > limit_) too_large(unpacked, nullptr);
}

void ArchiveGuard::drain(archive* a) const {
    const void* buf;
    size_t size;
    la_int64_t offset;
    int r;
    while ((r = libarchive().archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK)
        account(static_cast<uint64_t>(libarchive().archive_filter_bytes(a, 0)));
    if (r != ARCHIVE_EOF) archive_corrupt(a, file_, word_);
}

void ArchiveGuard::unpack_entry(archive* a, archive* disk, archive_entry* entry, const std::string& path,
                                const std::function<void(uint64_t)>& progress) const {
    if (libarchive().archive_write_header(disk, entry) != ARCHIVE_OK)
        throw Error::invalid(path, fmt::format("unpacking \"{}\" from {}: {}", path, file_.string(), archive_message(disk)));
    const void* buf;
    size_t size;
    la_int64_t offset;
    int r;
    while ((r = libarchive().archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK) {
        account(static_cast<uint64_t>(libarchive().archive_filter_bytes(a, 0)));
        if (progress) progress(static_cast<uint64_t>(libarchive().archive_filter_bytes(a, -1)));
        if (libarchive().archive_write_data_block(disk, buf, size, offset) != ARCHIVE_OK)
            throw Error(ErrorCode::System, fmt::format("writing \"{}\": {}", path, archive_message(disk)));
    }
    if (r != ARCHIVE_EOF) archive_corrupt(a, file_, word_);
    if (libarchive().archive_write_finish_entry(disk) != ARCHIVE_OK)
        throw Error(ErrorCode::System, fmt::format("finishing \"{}\": {}", path, archive_message(disk)));
}

void ArchiveGuard::too_large(uint64_t bytes, const std::string* entry) const {
    std::string what = entry ? fmt::format("its entry \"{}\" has {} bytes", *entry, bytes)
                             : fmt::format("it unpacks to more than {} bytes", limit_);
    if (limit_ >= limits_.max_bytes)
        throw Error::invalid(entry ? *entry : file_.string(),
                             fmt::format("{} {} is too large: {} (limit {} bytes, setting images.unpack_max_size)", word_,
                                         file_.string(), what, limits_.max_bytes));
    throw Error::invalid(entry ? *entry : file_.string(),
                         fmt::format("{} {} looks like a decompression bomb: {}, over {}x its {} compressed bytes "
                                     "(setting images.unpack_max_ratio)",
                                     word_, file_.string(), what, limits_.max_ratio, compressed_));
}

}  // namespace li
