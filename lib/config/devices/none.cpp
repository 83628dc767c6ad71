// none devices: mask a device of the same name inherited from a profile.
#include "config/device_keys.hpp"

namespace li::config {

DeviceType none_device_type() {
    DeviceType t;
    t.type = "none";
    t.doc = "Removes an inherited device of the same name";
    t.hotplug = true;
    return t;
}

}  // namespace li::config
