#pragma once
// Pulling images from image servers into the image store, and refreshing pulled images.

#include <memory>
#include <string>

#include "core/operation_state.hpp"
#include "libinstance/api/instance.hpp"
#include "libinstance/api/remote.hpp"

namespace li {

class ManagerCore;

/// Checks what a copy request alone can tell (server known, image named, alias names), so bad
/// input fails before any operation starts.
void validate_images_post(ManagerCore& core, const std::string& project, const api::ImagesPost& post);

/// Copies the image post.source names into the project: downloads its files to a temporary
/// area under the image store, verifies each file's sha256 (and the fingerprint), imports it,
/// records its source. An image already present only gets the aliases. Progress under
/// "download_progress"; a cancellation leaves nothing behind.
api::Image pull_image(const std::shared_ptr<ManagerCore>& core, const std::string& project, const api::ImagesPost& post,
                      OperationContext& ctx);

/// For an instance created from a server's image: pulls it (cached, as LXD does) unless present
/// and returns its local fingerprint.
std::string pull_for_instance(const std::shared_ptr<ManagerCore>& core, const std::string& project,
                              const api::InstanceSource& source, OperationContext& ctx);

/// Replaces an image by the newest version its source offers (aliases moved, old image removed
/// unless an instance uses it). Sets refreshed; returns the current image.
api::Image refresh_image(const std::shared_ptr<ManagerCore>& core, const std::string& project, const std::string& ref,
                         OperationContext& ctx, bool& refreshed);

}  // namespace li
