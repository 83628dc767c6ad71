// usb devices of containers: the matching USB devices' /dev/bus/usb/BBB/DDD nodes, made inside as
// unix-char nodes at the same paths. A missing device is fine unless required (LXD's default).
#include "instance/drivers/lxc/devices/host_devices.hpp"
#include "instance/drivers/lxc/devices/lxc_device.hpp"
#include "instance/drivers/lxc/devices/unix_nodes.hpp"

namespace li {

namespace {

class UsbDevice final : public LxcDevice {
public:
    void start(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d, LxcLines& lines) override {
        if (auto nodes = usb_nodes(name, d, host_usb_devices()); !nodes.empty()) start_unix_nodes(env, name, nodes, lines);
    }
    void stop(const DeviceEnv& env, const std::string& name, const api::ConfigMap&) override { stop_unix_nodes(env, name); }
    void attach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        if (auto nodes = usb_nodes(name, d, host_usb_devices()); !nodes.empty()) attach_unix_nodes(env, name, nodes);
    }
    void detach(const DeviceEnv& env, const std::string& name, const api::ConfigMap&) override { detach_unix_nodes(env, name); }
};

}  // namespace

LxcDevice& lxc_usb_device() {
    static UsbDevice device;
    return device;
}

}  // namespace li
