// The network types of this build. A type is a driver folder under drivers/ plus a row here.
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "libinstance/error.hpp"
#include "network/drivers/bridge/bridge_driver.hpp"
#include "network/drivers/mock/mock_network_driver.hpp"
#include "network/network_driver.hpp"

namespace li {

namespace {
// Drivers keep no state of their own (the record is passed in), so one of each serves all.
BridgeDriver bridge_driver;
MockNetworkDriver mock_driver;

bool mocked() {
    const char* env = std::getenv("LIBINSTANCE_NETWORK_DRIVER");
    return env && std::string(env) == "mock";
}
}  // namespace

NetworkDriver& network_driver(const std::string& type) {
    if (type == "bridge") return mocked() ? static_cast<NetworkDriver&>(mock_driver) : bridge_driver;
    throw Error(ErrorCode::NotSupported,
                fmt::format("network type \"{}\" is not supported (available: {})", type, fmt::join(network_types(), ", ")), "type");
}

std::vector<std::string> network_types() { return {"bridge"}; }

}  // namespace li
