#pragma once
// Adding checked image files to the store: the one path every way of getting an image (import,
// build, publish, remote copy) ends in.

#include <string>

#include "core/operation_state.hpp"
#include "image/image_files.hpp"
#include "libinstance/api/image.hpp"
#include "libinstance/image.hpp"

namespace li {

class ManagerCore;

/// Checks the files as hostile input (inspect_image with the import's limits), copies (or moves)
/// them to images/<fp>[.rootfs] through a temporary name in the images directory, records the
/// image with opts' alias, properties (over metadata.yaml's), public, auto_update and cached, and
/// emits "image-created" (and "image-alias-created"). On any failure the store is unchanged.
/// AlreadyExists when the project has this fingerprint. Sets ctx metadata "fingerprint".
api::Image add_image_files(ManagerCore& core, const std::string& project, const ImageFiles& files,
                           const std::string& fingerprint, const ImageImportOptions& opts, bool move_files,
                           OperationContext& ctx, const std::string& progress_key, const char* label);

/// The limits an import uses: opts' when set, else the manager's settings.
UnpackLimits import_limits(ManagerCore& core, const ImageImportOptions& opts);

}  // namespace li
