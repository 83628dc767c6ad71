// gpu devices of containers (gputype "physical"): the matching GPUs' /dev/dri and /dev/nvidia*
// nodes, made inside as unix-char nodes at the same paths.
#include "instance/drivers/lxc/devices/host_devices.hpp"
#include "instance/drivers/lxc/devices/lxc_device.hpp"
#include "instance/drivers/lxc/devices/unix_nodes.hpp"

namespace li {

namespace {

class GpuDevice final : public LxcDevice {
public:
    void start(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d, LxcLines& lines) override {
        start_unix_nodes(env, name, gpu_nodes(name, d, host_gpus()), lines);
    }
    void stop(const DeviceEnv& env, const std::string& name, const api::ConfigMap&) override { stop_unix_nodes(env, name); }
    void attach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        attach_unix_nodes(env, name, gpu_nodes(name, d, host_gpus()));
    }
    void detach(const DeviceEnv& env, const std::string& name, const api::ConfigMap&) override { detach_unix_nodes(env, name); }
};

}  // namespace

LxcDevice& lxc_gpu_device() {
    static GpuDevice device;
    return device;
}

}  // namespace li
