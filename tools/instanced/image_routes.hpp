#pragma once
// /1.0/images and /1.0/images/aliases: lookups, edits, deletion, export and aliases; uploads and
// publishing (POST /1.0/images) are in image_upload.

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_image_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
