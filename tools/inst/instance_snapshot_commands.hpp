#pragma once
// Instance snapshots in lxc's syntax: `snapshot`, `restore`, and the "<instance>/<snapshot>" forms
// of delete, rename/move, config show and the Snapshots table of info (cmd_instance_snapshot.cpp).

#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "libinstance/api/instance_snapshot.hpp"

namespace li::cli {

class Context;

/// "<instance>/<snapshot>" (a leading "local:" dropped), as lxc addresses instance snapshots.
struct InstanceSnapshotRef {
    std::string instance;
    std::string snapshot;
};
/// The snapshot an argument names, or nullopt for a plain instance name. An empty part
/// ("c1/", "/s") or a second '/' is a UsageError naming the argument.
std::optional<InstanceSnapshotRef> instance_snapshot_ref(const std::string& arg);

/// delete <instance>/<snapshot>, as an operation with lxc's progress handling.
void delete_instance_snapshot(Context& ctx, const InstanceSnapshotRef& ref);
/// rename/move <instance>/<snapshot> <instance>/<new>: lxc's checks that the parent stays the same.
void rename_instance_snapshot(Context& ctx, const InstanceSnapshotRef& from, const std::string& to_arg);
/// config show <instance>/<snapshot>: the whole snapshot document as YAML, as lxc prints it
/// (with --expanded, the expanded config and devices in place of the snapshot's own).
void show_instance_snapshot(Context& ctx, const InstanceSnapshotRef& ref, bool expanded);
/// config edit <instance>/<snapshot>: the document the editor starts from (show's YAML).
std::string instance_snapshot_yaml(Context& ctx, const InstanceSnapshotRef& ref);
/// Applies an edited snapshot document: as lxc, only expires_at is writable ("", null or Go's
/// zero time: never); InvalidArgument (key "yaml") for YAML that is not a map.
void edit_instance_snapshot(Context& ctx, const InstanceSnapshotRef& ref, const std::string& yaml);
/// lxc info's "Snapshots:" section (blank line, title, table); "" without snapshots.
std::string snapshots_info_text(const std::vector<api::InstanceSnapshot>& snapshots);

}  // namespace li::cli
