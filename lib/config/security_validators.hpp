#pragma once
// Checks of the raw.* and security.syscalls.* keys, and the parsing the driver shares with them.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace li::config {

/// raw.lxc's lines as (key, value); "#" comments and blank lines skipped. InvalidArgument naming
/// "config.raw.lxc" for a line that is not "key = value".
std::vector<std::pair<std::string, std::string>> parse_raw_lxc(std::string_view text);
/// Refuses raw.lxc lines that would break isolation or fight libinstance (lxc.idmap, lxc.rootfs*,
/// lxc.apparmor.*, lxc.cap.*, lxc.seccomp.*, lxc.mount.auto, lxc.hook.*, ...), naming the key.
std::string check_raw_lxc(std::string_view text);

/// Syscall names of security.syscalls.deny/allow: separated by whitespace, commas or newlines.
/// A newline-separated line may instead be a liblxc rule ("mknod errno 1"), kept whole.
std::vector<std::string> syscall_rules(std::string_view text);
std::string check_syscall_list(std::string_view text);

/// A limits.kernel.* value: "unlimited", a number, or "soft:hard" of those.
std::string check_prlimit(std::string_view text);

}  // namespace li::config
