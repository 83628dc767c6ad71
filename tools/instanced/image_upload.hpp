#pragma once
// POST /1.0/images: uploads (a unified tarball as the raw body, or a split image as multipart
// parts "metadata" + "rootfs"), publishing an instance or snapshot (source type "instance",
// "container", "snapshot") and copies from an image server (source type "image").

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_image_upload_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
