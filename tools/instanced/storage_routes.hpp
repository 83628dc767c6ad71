#pragma once
// /1.0/storage-pools over StoragePoolStore (pools are global, ?project= does not scope them):
// list (recursion 0/1), create (201 + Location), get (ETag), PUT/PATCH (If-Match; 412 when stale),
// delete and /resources. The pools' volumes are storage_volume_routes', registered from here.

#include "router.hpp"

namespace li::daemon {

class Daemon;

void add_storage_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
