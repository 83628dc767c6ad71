#include "image/tar_writer.hpp"

#include <fmt/format.h>

#include "image/archive_api.hpp"
#include "image/archive_message.hpp"
#include "libinstance/error.hpp"

namespace li {

void TarWriter::Deleter::operator()(archive* a) const { libarchive().archive_write_free(a); }

TarWriter::TarWriter(const std::filesystem::path& out, time_t mtime) : a_(libarchive().archive_write_new()), mtime_(mtime) {
    libarchive().archive_write_add_filter_gzip(a_.get());
    // No timestamp in the gzip header, so the same inputs give the same fingerprint.
    libarchive().archive_write_set_filter_option(a_.get(), "gzip", "timestamp", nullptr);
    libarchive().archive_write_set_format_pax_restricted(a_.get());
    if (libarchive().archive_write_open_filename(a_.get(), out.c_str()) != ARCHIVE_OK)
        throw Error(ErrorCode::System, fmt::format("creating {}: {}", out.string(), archive_message(a_.get())));
}

TarWriter::~TarWriter() = default;

void TarWriter::dir(const std::string& path, mode_t mode) { add(path, AE_IFDIR | mode, {}, {}); }

void TarWriter::file(const std::string& path, std::string_view content, mode_t mode) { add(path, AE_IFREG | mode, content, {}); }

void TarWriter::symlink(const std::string& path, const std::string& target) { add(path, AE_IFLNK | 0777, {}, target); }

void TarWriter::close() {
    if (libarchive().archive_write_close(a_.get()) != ARCHIVE_OK)
        throw Error(ErrorCode::System, fmt::format("writing image: {}", archive_message(a_.get())));
}

void TarWriter::add(const std::string& path, mode_t mode, std::string_view content, const std::string& link) {
    std::unique_ptr<archive_entry, decltype(libarchive().archive_entry_free)> e(libarchive().archive_entry_new(),
                                                                                 libarchive().archive_entry_free);
    libarchive().archive_entry_set_pathname(e.get(), path.c_str());
    libarchive().archive_entry_set_mode(e.get(), mode);
    libarchive().archive_entry_set_uid(e.get(), 0);
    libarchive().archive_entry_set_gid(e.get(), 0);
    libarchive().archive_entry_set_uname(e.get(), "root");
    libarchive().archive_entry_set_gname(e.get(), "root");
    libarchive().archive_entry_set_mtime(e.get(), mtime_, 0);
    libarchive().archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    if (!link.empty()) libarchive().archive_entry_set_symlink(e.get(), link.c_str());
    if (libarchive().archive_write_header(a_.get(), e.get()) != ARCHIVE_OK ||
        (!content.empty() && libarchive().archive_write_data(a_.get(), content.data(), content.size()) < 0))
        throw Error(ErrorCode::System, fmt::format("writing image entry {}: {}", path, archive_message(a_.get())));
}

}  // namespace li
