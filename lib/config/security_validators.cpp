#include "config/security_validators.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <sstream>

#include "libinstance/error.hpp"

namespace li::config {

namespace {

std::string trim(std::string_view s) {
    size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string_view::npos) return {};
    size_t b = s.find_last_not_of(" \t\r");
    return std::string(s.substr(a, b - a + 1));
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// Keys libinstance sets itself or that would undo the container's isolation, with what to use
// instead. A trailing '.' matches every key below it.
struct Denied {
    std::string_view key;
    std::string_view why;
};
constexpr Denied kDenied[] = {
    {"lxc.idmap", "use security.idmap.* or security.privileged"},
    {"lxc.id_map", "use security.idmap.* or security.privileged"},
    {"lxc.rootfs", "the root filesystem is the storage pool's"},
    {"lxc.rootfs.", "the root filesystem is the storage pool's"},
    {"lxc.apparmor.", "confinement is libinstance's"},
    {"lxc.aa_profile", "confinement is libinstance's"},
    {"lxc.selinux.", "confinement is libinstance's"},
    {"lxc.cap.", "capabilities are libinstance's (security.privileged)"},
    {"lxc.seccomp", "use security.syscalls.* or raw.seccomp"},
    {"lxc.seccomp.", "use security.syscalls.* or raw.seccomp"},
    {"lxc.mount.auto", "use security.nesting"},
    {"lxc.cgroup.devices.", "use unix-char/unix-block devices"},
    {"lxc.cgroup2.devices.", "use unix-char/unix-block devices"},
    {"lxc.hook.", "hooks run as root on the host"},
    {"lxc.include", "it reads arbitrary host files"},
    {"lxc.namespace.", "the container's namespaces are libinstance's"},
    {"lxc.net.", "use nic devices"},
    {"lxc.network.", "use nic devices"},
    {"lxc.prlimit.", "use limits.kernel.*"},
    {"lxc.ephemeral", "use the instance's ephemeral flag"},
    {"lxc.log.", "the log is libinstance's"},
    {"lxc.logfile", "the log is libinstance's"},
    {"lxc.syslog", "the log is libinstance's"},
    {"lxc.console.logfile", "the console log is libinstance's"},
    {"lxc.rootfs.options", "the root filesystem is the storage pool's"},
};

bool valid_syscall_name(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool is_action(std::string_view s) {
    for (std::string_view a : {"errno", "kill", "allow", "trap", "trace", "notify", "log"})
        if (s == a) return true;
    return false;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_raw_lxc(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::istringstream in{std::string(text)};
    int n = 0;
    for (std::string l; std::getline(in, l);) {
        ++n;
        std::string t = trim(l);
        if (t.empty() || t[0] == '#') continue;
        size_t eq = t.find('=');
        if (eq == std::string::npos || trim(std::string_view(t).substr(0, eq)).empty())
            throw Error::invalid("config.raw.lxc", fmt::format("line {} (\"{}\") is not \"key = value\"", n, t));
        out.emplace_back(trim(std::string_view(t).substr(0, eq)), trim(std::string_view(t).substr(eq + 1)));
    }
    return out;
}

std::string check_raw_lxc(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> lines;
    try {
        lines = parse_raw_lxc(text);
    } catch (const Error& e) {
        return e.what();
    }
    for (const auto& [key, value] : lines) {
        if (!starts_with(key, "lxc."))
            return fmt::format("\"{}\" is not a liblxc key (they start with \"lxc.\")", key);
        for (const auto& d : kDenied) {
            bool match = d.key.back() == '.' ? starts_with(key, d.key) : key == d.key;
            if (match) return fmt::format("liblxc key \"{}\" is not allowed in raw.lxc ({})", key, d.why);
        }
    }
    return {};
}

std::vector<std::string> syscall_rules(std::string_view text) {
    std::vector<std::string> rules;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) {
        std::string t = trim(line);
        std::istringstream words(t);
        std::vector<std::string> w;
        for (std::string x; words >> x;) w.push_back(x);
        if (w.size() >= 2 && is_action(w[1])) {
            rules.push_back(t);
            continue;
        }
        std::replace(t.begin(), t.end(), ',', ' ');
        std::istringstream names(t);
        for (std::string x; names >> x;) rules.push_back(x);
    }
    return rules;
}

std::string check_syscall_list(std::string_view text) {
    for (const auto& rule : syscall_rules(text)) {
        std::string name = rule.substr(0, rule.find(' '));
        if (!valid_syscall_name(name)) return fmt::format("\"{}\" is not a syscall name", name);
    }
    return {};
}

std::string check_prlimit(std::string_view text) {
    auto one = [](std::string_view v) {
        return v == "unlimited" || (!v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }));
    };
    size_t colon = text.find(':');
    bool ok = colon == std::string_view::npos ? one(text) : one(text.substr(0, colon)) && one(text.substr(colon + 1));
    return ok ? "" : "not a limit (a number, \"unlimited\", or soft:hard)";
}

}  // namespace li::config
