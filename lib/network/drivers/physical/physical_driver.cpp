#include "network/drivers/physical/physical_driver.hpp"

#include <fmt/format.h>
#include <mutex>
#include <sstream>

#include "libinstance/error.hpp"
#include "network/netlink.hpp"
#include "sys/fs.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

std::string user_of(const NicUse& nic) { return nic.project + "/" + nic.instance + "/" + nic.device; }

struct Use {
    std::string user;  ///< "<project>/<instance>/<device>", "" when nobody
    int ifindex = 0;   ///< the interface's index when it was taken
};

Use read_use(const fs::path& file) {
    Use use;
    try {
        std::istringstream in(read_file(file, 4096));
        in >> use.user >> use.ifindex;
    } catch (const Error&) {
        return {};
    }
    return use;
}

// The interface the recorded user took is back on the host (under any name): the user stopped
// without telling us (a crash), so the record is stale.
bool back_on_host(int ifindex) {
    for (const auto& l : netlink::links())
        if (l.index == ifindex) return true;
    return false;
}

std::mutex& use_mutex() {
    static std::mutex m;
    return m;
}

}  // namespace

void PhysicalDriver::start_nic(const NetworkRecord& network, const NicUse& nic) {
    std::lock_guard lock(use_mutex());
    fs::path file = network_dir(network.name) / "nic-user";
    Use use = read_use(file);
    if (!use.user.empty() && use.user != user_of(nic) && !back_on_host(use.ifindex))
        throw Error(ErrorCode::Conflict,
                    fmt::format("device \"{}\": network \"{}\" is a physical network and its interface \"{}\" is in use by {}",
                                nic.device, network.name, nic_parent(network), use.user),
                    "devices." + nic.device + ".network");
    auto link = netlink::find_link(nic_parent(network));
    fs::create_directories(network_dir(network.name));
    write_file_atomic(file, fmt::format("{} {}\n", user_of(nic), link ? link->index : 0));
}

bool PhysicalDriver::parent_lent(const NetworkRecord& network) const {
    Use use = read_use(network_dir(network.name) / "nic-user");
    return !use.user.empty() && !back_on_host(use.ifindex);
}

void PhysicalDriver::release_nic(const NetworkRecord& network, const NicUse& nic) {
    std::lock_guard lock(use_mutex());
    fs::path file = network_dir(network.name) / "nic-user";
    if (read_use(file).user != user_of(nic)) return;
    std::error_code ec;
    fs::remove(file, ec);
}

}  // namespace li
