#include "sys/cgroup_warmup.hpp"

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>

namespace li {

namespace {

// The cgroup.procs file of the cgroup this process is in on the unified (v2) hierarchy, found from
// /proc/self/cgroup ("0::/path") and the cgroup2 mount in /proc/self/mountinfo; empty when there
// is none. The lock being warmed is shared by all hierarchies, so one is enough.
std::string own_cgroup_procs_file() {
    std::string relative;
    {
        std::ifstream in("/proc/self/cgroup");
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("0::", 0) == 0) relative = line.substr(3);
        }
    }
    if (relative.empty()) return {};
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
        // "<id> <parent> <major:minor> <root> <mount point> <options> ... - <fstype> <source> ..."
        auto dash = line.find(" - ");
        if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
        std::istringstream fields(line.substr(0, dash));
        std::string id, parent, dev, root, mount_point;
        fields >> id >> parent >> dev >> root >> mount_point;
        // A cgroup namespace or bind mount shows a sub-tree: the path is relative to its root.
        if (root != "/" && relative.rfind(root, 0) == 0) relative = relative.substr(root.size());
        return mount_point + (relative == "/" ? "" : relative) + "/cgroup.procs";
    }
    return {};
}

}  // namespace

void warm_up_cgroup_migration() {
    static const std::string procs = own_cgroup_procs_file();
    if (procs.empty()) return;
    try {
        // The thread keeps its own copy: it may still run while the process exits.
        std::thread([path = procs] {
            int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
            if (fd < 0) return;
            // "0" is the writing process itself: it stays where it is.
            (void)!::write(fd, "0", 1);
            ::close(fd);
        }).detach();
    } catch (const std::system_error&) {
        // No thread to spare: the attach pays the wait itself, as it would without this.
    }
}

}  // namespace li
