#pragma once
// Owning handles for libarchive objects, and the one way a libarchive call failing on our side
// (not on hostile input) is reported; shared by image and backup tarballs.

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

#include <fmt/format.h>

#include "image/archive_message.hpp"
#include "libinstance/error.hpp"

namespace li {

struct ArchiveReadDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};
struct ArchiveWriteDeleter {
    void operator()(archive* a) const { archive_write_free(a); }
};
struct ArchiveEntryDeleter {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};
struct ArchiveResolverDeleter {
    void operator()(archive_entry_linkresolver* r) const { archive_entry_linkresolver_free(r); }
};

using ReadArchive = std::unique_ptr<archive, ArchiveReadDeleter>;
using WriteArchive = std::unique_ptr<archive, ArchiveWriteDeleter>;
using ArchiveEntryPtr = std::unique_ptr<archive_entry, ArchiveEntryDeleter>;
using LinkResolverPtr = std::unique_ptr<archive_entry_linkresolver, ArchiveResolverDeleter>;

/// Throws a System error "<what>: <libarchive's message>".
[[noreturn]] inline void archive_fail(archive* a, const std::string& what) {
    throw Error(ErrorCode::System, fmt::format("{}: {}", what, archive_message(a)));
}

}  // namespace li
