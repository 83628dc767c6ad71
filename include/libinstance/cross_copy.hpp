#pragma once
// Copies and moves of an instance to another Manager (`lxc copy r1:c1 r2:c2`, `lxc move r1:c1
// r2:`). The instance travels as a backup (exported by the source, imported by the target; ADR
// 0013), so any mix of embedded and connected Managers works, with LXD too.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/instance.hpp"
#include "libinstance/instance.hpp"
#include "libinstance/operation.hpp"

namespace li {

class Manager;

/// What `lxc copy` / `lxc move` flags ask of the new instance (copy_instance_to, move_instance_to).
struct CrossCopyOptions {
    std::string project;  ///< the target's project (`--target-project`); "" keeps the source's project name
    std::string pool;     ///< the pool of its root volume (`-s`); "" keeps the source's when the target has it,
                          ///< else the root pool of the target project's default profile
    bool instance_only = false;  ///< leave the snapshots out (`--instance-only`)
    /// Replaces the source's profiles (`-p`); an empty list applies none (`--no-profiles`).
    std::optional<std::vector<std::string>> profiles;
    api::ConfigMap config;   ///< keys set over the source's (`-c`)
    api::DeviceMap devices;  ///< whole devices added or replacing the source's own (`-d`, resolved by the caller)
    bool ephemeral = false;  ///< the copy is ephemeral (`-e`); a move keeps the source's either way
    /// move_instance_to() of a running instance: stop it, move it, start it on the target (`--stateless`).
    /// Without it a running instance is refused (Busy, key "status"): moving it live would need
    /// CRIU. copy_instance_to() copies a running instance as its files are, with or without it.
    bool stateless = false;
    /// Updates an existing copy (`--refresh`): NotSupported (key "refresh").
    bool refresh = false;
};

/// Copies source to target (embedded or connected; the source's own Manager too) as new_name (""
/// keeps its name): a backup of it is exported into a private temporary file (0600, in a 0700
/// directory of $TMPDIR, removed whatever happens) and imported by the target, with opts' project,
/// pool, profiles, config and devices already in it. Like a local copy, the copy has none of the
/// volatile keys that identify the source (MAC addresses, idmaps, uuids; volatile.base_image
/// stays), in its snapshots either. A running source is copied as its files are (as its backup
/// is). Errors are the export's or the import's (AlreadyExists key "name", NotFound key "pool" or
/// "profiles"...); nothing is left on the target when it fails. NotSupported (key "refresh") for
/// opts.refresh.
Instance copy_instance_to(const Instance& source, Manager& target, std::string_view new_name = {},
                          const CrossCopyOptions& opts = {});
/// copy_instance_to() as an operation of this process (cancellable; not in either Manager's
/// operation list); progress of both steps in metadata "copy_progress" ("Exporting: ...",
/// "Preparing", "Importing: ..."), "name" once it succeeds.
Operation copy_instance_to_async(const Instance& source, Manager& target, std::string_view new_name = {},
                                 const CrossCopyOptions& opts = {});
/// copy_instance_to() with the snapshots (unless opts.instance_only), then the source is deleted
/// once the copy exists on the target. A running source is refused (Busy, key "status") unless
/// opts.stateless, which stops it first and starts the copy. Any failure leaves the source as it
/// was (started again if it was stopped for the move) and no copy on the target.
void move_instance_to(const Instance& source, Manager& target, std::string_view new_name = {},
                      const CrossCopyOptions& opts = {});
Operation move_instance_to_async(const Instance& source, Manager& target, std::string_view new_name = {},
                                 const CrossCopyOptions& opts = {});

}  // namespace li
