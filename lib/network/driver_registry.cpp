// The network types of this build. A type is a driver folder under drivers/ plus a row here.
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "libinstance/error.hpp"
#include "network/drivers/bridge/bridge_driver.hpp"
#include "network/drivers/mock/mock_network_driver.hpp"
#include "network/drivers/macvlan/macvlan_driver.hpp"
#include "network/drivers/physical/physical_driver.hpp"
#include "network/network_driver.hpp"

namespace li {

namespace {
bool mocked() {
    const char* env = std::getenv("LIBINSTANCE_NETWORK_DRIVER");
    return env && std::string(env) == "mock";
}
}  // namespace

std::unique_ptr<NetworkDriver> network_driver(ManagerCore& core, const std::string& type) {
    if (type == "bridge") {
        if (mocked()) return std::make_unique<MockNetworkDriver>();
        return std::make_unique<BridgeDriver>(core);
    }
    if (type == "macvlan") return std::make_unique<MacvlanDriver>(core);
    if (type == "physical") return std::make_unique<PhysicalDriver>(core);
    throw Error(ErrorCode::NotSupported,
                fmt::format("network type \"{}\" is not supported (available: {})", type, fmt::join(network_types(), ", ")), "type");
}

std::vector<std::string> network_types() { return {"bridge", "macvlan", "physical"}; }

}  // namespace li
