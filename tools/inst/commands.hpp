#pragma once
// The command groups of `inst`; each is defined in its own cmd_*.cpp.

#include <functional>
#include <string>
#include <vector>

#include "cli.hpp"

namespace li::cli {

std::vector<Command> create_commands();  ///< launch, init
Command list_command();                  ///< list
Command exec_command();                  ///< exec
Command file_command();                  ///< file push/pull/delete/create/edit
std::vector<Command> action_commands();  ///< start, stop, restart, delete
std::vector<Command> copy_move_commands();  ///< copy, move, rename
Command info_command();                  ///< info
Command console_command();               ///< console
Command image_command();                 ///< image and its subcommands
Command image_alias_command();           ///< image alias create/delete/list
Command publish_command();               ///< publish
Command operation_command();             ///< operation list/show/delete
Command monitor_command();               ///< monitor
Command remote_command();                ///< remote add/list/remove/rename
Command profile_command();               ///< profile ... (and profile device ...)
Command storage_command();               ///< storage create/list/show/delete
Command storage_volume_command();        ///< storage volume ... (a child of storage)
std::vector<Command> storage_volume_attach_commands();  ///< storage volume attach/detach
std::vector<Command> image_remote_commands();  ///< image copy, image refresh
Command config_command();                ///< config get/set/unset/show (settings)
Command image_prune_command();           ///< image prune
std::vector<Command> image_edit_commands();    ///< image import (split), export, edit, *-property
Command admin_command();                 ///< admin snapshot-schedule, admin recover
Command admin_recover_command();         ///< admin recover (a child of admin)
Command admin_init_command();            ///< admin init (a child of admin)
Command network_command();               ///< network ... (and attach/detach to instances and profiles)
Command project_command();               ///< project ... (and switch, the CLI's current project)
std::vector<Command> instance_snapshot_commands();  ///< snapshot, restore
std::vector<Command> backup_commands();  ///< export, import

/// The whole command tree of `inst`.
const Command& command_tree();

/// Runs `inst <argv...>` within this process on outer's manager, with progress bars off (the
/// terminal is shared): how `inst monitor -- <command>` watches a command. Returns its status.
int run_nested(Context& outer, const std::vector<std::string>& argv);

/// Runs fn for each name like lxc's multi-instance commands: one name fails with its own error;
/// with several, each failure is reported and the others still run. Returns the exit status.
int for_each_target(const std::vector<std::string>& names, const std::function<void(const std::string&)>& fn);

/// The message of an error about one object, with the object's name in front when the message
/// does not already name it (so every failure says which instance it was about).
std::string message_naming(const std::string& message, const std::string& name);

}  // namespace li::cli
