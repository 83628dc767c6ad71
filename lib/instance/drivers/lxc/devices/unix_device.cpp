// unix-char and unix-block devices of containers: one host device node (by source, or by
// major/minor) made inside the container.
#include <fmt/format.h>
#include <optional>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config/device_keys.hpp"
#include "config/validators.hpp"
#include "instance/drivers/lxc/devices/lxc_device.hpp"
#include "instance/drivers/lxc/devices/unix_nodes.hpp"
#include "libinstance/error.hpp"

namespace li {

namespace {

// The node the device describes, or nullopt when its optional source is missing.
std::optional<UnixNode> node_of(const std::string& name, const api::ConfigMap& d) {
    std::string field = "devices." + name;
    bool block = config::device_value(d, "type") == "unix-block";
    UnixNode n;
    n.type = block ? 'b' : 'c';
    std::string source = config::device_value(d, "source");
    std::string major = config::device_value(d, "major");
    std::string minor = config::device_value(d, "minor");
    if (!source.empty() && (major.empty() || minor.empty())) {
        struct stat st {};
        if (::stat(source.c_str(), &st) != 0) {
            std::string required = config::device_value(d, "required");
            if (!required.empty() && !config::is_true(required)) return std::nullopt;
            throw Error(ErrorCode::NotFound, fmt::format("device \"{}\": source \"{}\" does not exist", name, source),
                        field + ".source");
        }
        if (block ? !S_ISBLK(st.st_mode) : !S_ISCHR(st.st_mode))
            throw Error::invalid(field + ".source", fmt::format("device \"{}\": source \"{}\" is not a {} device", name, source,
                                                                block ? "block" : "character"));
        n.major = ::major(st.st_rdev);
        n.minor = ::minor(st.st_rdev);
    }
    if (!major.empty()) n.major = static_cast<unsigned>(std::stoul(major));
    if (!minor.empty()) n.minor = static_cast<unsigned>(std::stoul(minor));
    n.path = config::device_value(d, "path", source);
    n.uid = std::stoull(config::device_value(d, "uid", "0"));
    n.gid = std::stoull(config::device_value(d, "gid", "0"));
    n.mode = parse_mode(config::device_value(d, "mode"), field + ".mode");
    return n;
}

class UnixDevice final : public LxcDevice {
public:
    void start(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d, LxcLines& lines) override {
        if (auto n = node_of(name, d)) start_unix_nodes(env, name, {*n}, lines);
    }
    void stop(const DeviceEnv& env, const std::string& name, const api::ConfigMap&) override { stop_unix_nodes(env, name); }
    void attach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        if (auto n = node_of(name, d)) attach_unix_nodes(env, name, {*n});
    }
    void detach(const DeviceEnv& env, const std::string& name, const api::ConfigMap&) override { detach_unix_nodes(env, name); }
};

}  // namespace

LxcDevice& lxc_unix_device() {
    static UnixDevice device;
    return device;
}

}  // namespace li
