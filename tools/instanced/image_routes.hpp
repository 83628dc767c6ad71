#pragma once
// /1.0/images and /1.0/images/aliases.

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_image_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
