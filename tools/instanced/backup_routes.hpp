#pragma once
// /1.0/instances/{name}/backups (and the /1.0/containers alias): `lxc export` creates a backup,
// downloads it from .../export and deletes it; and backup imports (`lxc import`: POST
// /1.0/instances with an application/octet-stream body).
//
// The library writes a backup to a file it is given and keeps no list of them, so the daemon
// keeps LXD's named backups itself: <state>/instanced/backups/<project>/<instance>/<name>.backup
// beside <name>.json (its InstanceBackup fields).

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_backup_routes(Router& router, Daemon& daemon);

/// POST /1.0/instances with a backup tarball as the body (headers X-LXD-name, X-LXD-pool): the
/// instance it holds, created by an operation.
Reply import_backup_request(Daemon& daemon, const Call& call);

}  // namespace li::daemon
