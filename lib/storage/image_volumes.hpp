#pragma once
// The lifetime of image volumes: unpacked once per pool, kept while anything still needs them.

#include <string>

namespace li {

class ManagerCore;

/// Deletes the image volumes of `fingerprint` on every pool unless an image record still holds
/// the fingerprint or an instance was made from it (volatile.base_image): on `dir` an instance's
/// rootfs is an overlay whose lower layer is that volume, so it must outlive its dependants.
/// Called when an image or an instance goes away.
void release_image_volumes(ManagerCore& core, const std::string& fingerprint);

}  // namespace li
