#pragma once
// LXD's custom volume backups (api extension custom_volume_backup): /1.0/storage-pools/{pool}/
// volumes/custom/{name}/backups[/{backup}[/export]] over the records backup_records keeps
// (<state>/instanced/volume-backups/<project>/<pool>/<volume>/), which `lxc storage volume
// export` creates, downloads and deletes; and imports (`lxc storage volume import`: POST
// .../volumes/custom with an application/octet-stream body, header X-LXD-name).

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_volume_backup_routes(Router& router, Daemon& daemon);

/// POST /1.0/storage-pools/{pool}/volumes[/custom] with a backup tarball as the body: the custom
/// volume it holds (named by X-LXD-name, else the backup's name), created by an operation.
Reply import_volume_backup_request(Daemon& daemon, const Call& call);

}  // namespace li::daemon
