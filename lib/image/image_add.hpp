#pragma once
// Adding checked image files to the store: the one path every way of getting an image (import,
// build, publish, remote copy) ends in.

#include <memory>
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

/// A builder's files' fingerprint, cancellable.
std::string built_image_fingerprint(const ImageFiles& files, OperationContext& ctx);

/// Adds a builder's image files (see add_image_files) under progress `key`/`label`. Builders are
/// deterministic, so when the project has an image of this fingerprint already, even one a
/// concurrent build stored a moment ago, that image only gets the alias. Sets ctx metadata
/// "fingerprint".
void add_built_image(const std::shared_ptr<ManagerCore>& core, const std::string& project, const ImageFiles& files,
                     const std::string& fingerprint, const std::string& alias, bool move_files, OperationContext& ctx,
                     const std::string& key, const char* label);

/// The limits an import uses: opts' when set, else the manager's settings.
UnpackLimits import_limits(ManagerCore& core, const ImageImportOptions& opts);

}  // namespace li
