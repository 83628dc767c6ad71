#include "image/tar_pack.hpp"
#include "image/archive_handles.hpp"

#include "image/archive_api.hpp"
#include <ctime>
#include <fmt/format.h>
#include <fts.h>
#include <memory>
#include <sys/stat.h>
#include <vector>

#include "libinstance/error.hpp"
#include "sys/fs.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

using EntryPtr = ArchiveEntryPtr;

[[noreturn]] void fail(archive* a, const std::string& what) { archive_fail(a, what); }

void add_filter(archive* a, std::string_view compression) {
    int r = ARCHIVE_OK;
    if (compression == "gzip") r = libarchive().archive_write_add_filter_gzip(a);
    else if (compression == "xz") r = libarchive().archive_write_add_filter_xz(a);
    else if (compression == "zstd") r = libarchive().archive_write_add_filter_zstd(a);
    else if (compression == "bzip2") r = libarchive().archive_write_add_filter_bzip2(a);
    else if (compression == "none") r = libarchive().archive_write_add_filter_none(a);
    if (r != ARCHIVE_OK) fail(a, fmt::format("enabling {} compression", compression));
}

// Writes one entry's header, and its data read from `data` (the disk reader) when given.
void write_entry(archive* out, archive_entry* e, archive* data, uint64_t& done, const PackProgress& progress) {
    int r = libarchive().archive_write_header(out, e);
    if (r == ARCHIVE_FAILED || r == ARCHIVE_WARN) {
        // e.g. a socket, which tar cannot hold; LXD skips those too.
        if (r == ARCHIVE_FAILED) return;
    } else if (r != ARCHIVE_OK) {
        fail(out, fmt::format("writing {}", libarchive().archive_entry_pathname(e)));
    }
    if (!data || libarchive().archive_entry_size(e) <= 0) return;
    std::vector<char> buf(1 << 20);
    for (;;) {
        la_ssize_t n = libarchive().archive_read_data(data, buf.data(), buf.size());
        if (n < 0) fail(data, fmt::format("reading {}", libarchive().archive_entry_sourcepath(e)));
        if (n == 0) break;
        if (libarchive().archive_write_data(out, buf.data(), static_cast<size_t>(n)) < 0)
            fail(out, fmt::format("writing {}", libarchive().archive_entry_pathname(e)));
        done += static_cast<uint64_t>(n);
        if (progress) progress(done);
    }
}

void add_memory_file(archive* out, const std::string& path, std::string_view content, mode_t mode) {
    EntryPtr e(libarchive().archive_entry_new());
    libarchive().archive_entry_set_pathname(e.get(), path.c_str());
    libarchive().archive_entry_set_filetype(e.get(), AE_IFREG);
    libarchive().archive_entry_set_perm(e.get(), mode);
    libarchive().archive_entry_set_uid(e.get(), 0);
    libarchive().archive_entry_set_gid(e.get(), 0);
    libarchive().archive_entry_set_mtime(e.get(), ::time(nullptr), 0);
    libarchive().archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    if (libarchive().archive_write_header(out, e.get()) != ARCHIVE_OK ||
        (!content.empty() && libarchive().archive_write_data(out, content.data(), content.size()) < 0))
        fail(out, fmt::format("writing {}", path));
}

void add_memory_dir(archive* out, const std::string& path) {
    EntryPtr e(libarchive().archive_entry_new());
    libarchive().archive_entry_set_pathname(e.get(), path.c_str());
    libarchive().archive_entry_set_filetype(e.get(), AE_IFDIR);
    libarchive().archive_entry_set_perm(e.get(), 0755);
    libarchive().archive_entry_set_mtime(e.get(), ::time(nullptr), 0);
    if (libarchive().archive_write_header(out, e.get()) != ARCHIVE_OK) fail(out, fmt::format("writing {}", path));
}

// Adds the tree at `dir` as `prefix`/..., keeping what is on disk and numeric owners only.
void add_tree(archive* out, const fs::path& dir, const std::string& prefix, archive_entry_linkresolver* resolver,
              uint64_t& done, const PackProgress& progress) {
    ReadArchive disk = open_disk_walk(dir);
    const std::string base = dir.string();
    for (;;) {
        EntryPtr e(libarchive().archive_entry_new());
        int r = libarchive().archive_read_next_header2(disk.get(), e.get());
        if (r == ARCHIVE_EOF) break;
        if (r == ARCHIVE_FATAL) fail(disk.get(), fmt::format("reading {}", dir.string()));
        if (r == ARCHIVE_FAILED) continue;  // e.g. a file removed while walking
        libarchive().archive_read_disk_descend(disk.get());
        rename_walked_entry(e.get(), base, prefix);
        archive_entry* entry = e.get();
        archive_entry* sparse = nullptr;
        libarchive().archive_entry_linkify(resolver, &entry, &sparse);
        // With tar formats the resolver hands back the same entry, turned into a hard link (size
        // 0) when its inode was seen before; its data then must not be read.
        if (entry) write_entry(out, entry, libarchive().archive_entry_hardlink(entry) ? nullptr : disk.get(), done, progress);
    }
}

}  // namespace

void validate_compression(std::string_view compression) {
    for (const char* known : {"gzip", "xz", "zstd", "bzip2", "none"})
        if (compression == known) return;
    throw Error::invalid("compression", fmt::format("unknown compression \"{}\" (use gzip, xz, zstd, bzip2 or none)", compression));
}

std::string tarball_suffix(std::string_view compression) {
    if (compression == "gzip") return ".tar.gz";
    if (compression == "xz") return ".tar.xz";
    if (compression == "zstd") return ".tar.zst";
    if (compression == "bzip2") return ".tar.bz2";
    return ".tar";
}

void pack_unified_tarball(const PackInput& input, const fs::path& out_path, std::string_view compression,
                          const PackProgress& progress) {
    validate_compression(compression);
    WriteArchive out(libarchive().archive_write_new());
    add_filter(out.get(), compression);
    libarchive().archive_write_set_format_pax_restricted(out.get());
    if (libarchive().archive_write_open_filename(out.get(), out_path.c_str()) != ARCHIVE_OK)
        fail(out.get(), fmt::format("creating {}", out_path.string()));
    LinkResolverPtr resolver(libarchive().archive_entry_linkresolver_new());
    libarchive().archive_entry_linkresolver_set_strategy(resolver.get(), libarchive().archive_format(out.get()));

    add_memory_file(out.get(), "metadata.yaml", input.metadata_yaml, 0644);
    add_memory_dir(out.get(), "templates");
    std::error_code ec;
    if (!input.templates_dir.empty() && fs::is_directory(input.templates_dir, ec)) {
        for (const auto& f : fs::directory_iterator(input.templates_dir)) {
            if (!f.is_regular_file() || f.is_symlink()) continue;
            add_memory_file(out.get(), "templates/" + f.path().filename().string(), read_file(f.path(), 1 << 20), 0644);
        }
    }
    uint64_t done = 0;
    add_tree(out.get(), input.rootfs, "rootfs", resolver.get(), done, progress);
    if (libarchive().archive_write_close(out.get()) != ARCHIVE_OK) fail(out.get(), fmt::format("writing {}", out_path.string()));
}

uint64_t tree_data_bytes(const fs::path& dir) {
    uint64_t total = 0;
    char* paths[] = {const_cast<char*>(dir.c_str()), nullptr};
    FTS* fts = ::fts_open(paths, FTS_PHYSICAL | FTS_XDEV | FTS_NOCHDIR, nullptr);
    if (!fts) return 0;
    while (FTSENT* e = ::fts_read(fts)) {
        if (e->fts_info == FTS_F && e->fts_statp && e->fts_statp->st_nlink <= 1) total += static_cast<uint64_t>(e->fts_statp->st_size);
        else if (e->fts_info == FTS_F && e->fts_statp) total += static_cast<uint64_t>(e->fts_statp->st_size) / e->fts_statp->st_nlink;
    }
    ::fts_close(fts);
    return total;
}

}  // namespace li
