#pragma once
// The CLI's current project (what `inst project switch` sets) and default remote (`inst remote
// switch`), kept in inst's own config file, per state directory (and the current project per
// remote too, as lxc keeps it). The library never reads this file.

#include <filesystem>
#include <string>

namespace li::cli {

/// inst's config directory: $INST_CONF, else $XDG_CONFIG_HOME/inst, else ~/.config/inst.
std::filesystem::path cli_config_dir();

/// The current project for a state directory (the --state-dir value; empty for the library's
/// default one) and one of its remotes ("" or "local": the state directory's own store): the
/// one last switched to, else "default".
std::string current_project(const std::string& state_dir, const std::string& remote = {});

/// Makes project the current one for that state directory and remote ("default" forgets the
/// entry).
void set_current_project(const std::string& state_dir, const std::string& project, const std::string& remote = {});

/// The default remote for a state directory (`inst remote switch`): "" for local.
std::string default_remote(const std::string& state_dir);

/// Makes remote the default one for that state directory ("" or "local" forgets the entry).
void set_default_remote(const std::string& state_dir, const std::string& remote);

}  // namespace li::cli
