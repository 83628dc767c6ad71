#pragma once
// /1.0/storage-pools/{pool}/volumes over StorageVolumeStore, per project (?project=): list
// (recursion 0/1, all types or one), create a custom volume (sync as LXD; a copy is an operation),
// get (ETag), PUT (If-Match; "restore" restores a snapshot), PATCH, DELETE, POST (a rename within
// the pool is sync 201 + Location, a move to another pool an operation), and the custom volumes'
// snapshots (create, rename and delete are operations, as LXD answers them); their backups and
// backup imports are volume_backup_routes'.

#include "router.hpp"

namespace li::daemon {

class Daemon;

void add_storage_volume_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
