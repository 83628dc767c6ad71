#pragma once
// libarchive, loaded on first use (see sys/shared_library.hpp for why): call
// `libarchive().archive_read_new()` where code would call `archive_read_new()`. Types and
// constants come from libarchive's own headers, as usual.

#include <archive.h>
#include <archive_entry.h>

namespace li {

/// The addresses of the libarchive functions listed in archive_functions.def, with their exact
/// types taken from libarchive's headers.
struct ArchiveApi {
#define LI_ARCHIVE_FUNCTION(name) decltype(&::name) name;
#include "image/archive_functions.def"
#undef LI_ARCHIVE_FUNCTION
};

/// Loads libarchive on the first call (thread-safe); NotSupported when it is not installed.
const ArchiveApi& libarchive();

}  // namespace li
