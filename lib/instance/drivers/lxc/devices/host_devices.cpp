#include "instance/drivers/lxc/devices/host_devices.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config/device_keys.hpp"
#include "config/validators.hpp"
#include "libinstance/error.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// A sysfs attribute's first line, trimmed; "" when missing.
std::string attr(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    return line;
}

// sysfs ids are "0x8086"; LXD's vendorid/productid are "8086".
std::string hex_id(std::string v) {
    if (v.rfind("0x", 0) == 0) v = v.substr(2);
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return v;
}

bool is_number(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string lower(std::string v) { return hex_id(std::move(v)); }

// The minor number of an NVIDIA GPU's /dev/nvidia<minor> node, from the driver's proc file.
std::string nvidia_minor(const fs::path& proc_root, const std::string& pci) {
    std::ifstream in(proc_root / "driver/nvidia/gpus" / pci / "information");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Device Minor:", 0) != 0) continue;
        std::string v = line.substr(13);
        v.erase(0, v.find_first_not_of(" \t"));
        while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
        return is_number(v) ? v : std::string();
    }
    return {};
}

// A character node under dev_root, as a UnixNode at the same path inside ("/" + relative).
bool char_node(const fs::path& dev_root, const std::string& relative, UnixNode& out) {
    struct stat st {};
    if (::stat((dev_root / relative).c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) return false;
    out.type = 'c';
    out.major = ::major(st.st_rdev);
    out.minor = ::minor(st.st_rdev);
    out.path = "/dev/" + relative;
    return true;
}

void apply_owner(const std::string& name, const api::ConfigMap& d, std::vector<UnixNode>& nodes) {
    uint64_t uid = std::stoull(config::device_value(d, "uid", "0"));
    uint64_t gid = std::stoull(config::device_value(d, "gid", "0"));
    mode_t mode = parse_mode(config::device_value(d, "mode"), "devices." + name + ".mode");
    for (auto& n : nodes) {
        n.uid = uid;
        n.gid = gid;
        n.mode = mode;
    }
}

}  // namespace

std::vector<HostGpu> host_gpus(const fs::path& sys_root, const fs::path& dev_root, const fs::path& proc_root) {
    std::map<std::string, HostGpu> by_pci;
    std::error_code ec;
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(sys_root / "class/drm", ec)) entries.push_back(e.path());
    std::sort(entries.begin(), entries.end());
    for (const auto& entry : entries) {
        std::string node = entry.filename().string();
        // cardN and renderDN; connectors ("card0-HDMI-A-1") and others are not nodes to pass.
        bool card = node.rfind("card", 0) == 0 && is_number(node.substr(4));
        bool render = node.rfind("renderD", 0) == 0 && is_number(node.substr(7));
        if (!card && !render) continue;
        fs::path device = fs::canonical(entry / "device", ec);
        if (ec) continue;
        std::string pci = device.filename().string();
        HostGpu& gpu = by_pci[pci];
        gpu.pci = pci;
        gpu.vendor = hex_id(attr(device / "vendor"));
        gpu.product = hex_id(attr(device / "device"));
        if (card) gpu.id = node.substr(4);
        UnixNode n;
        if (!parse_major_minor(attr(entry / "dev"), n.major, n.minor)) continue;
        n.path = "/dev/dri/" + node;
        gpu.nodes.push_back(n);
    }
    std::vector<HostGpu> out;
    for (auto& [pci, gpu] : by_pci) {
        if (gpu.vendor == "10de") {
            UnixNode n;
            if (std::string minor = nvidia_minor(proc_root, pci); !minor.empty() && char_node(dev_root, "nvidia" + minor, n))
                gpu.nodes.push_back(n);
            for (const char* shared : {"nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset"})
                if (char_node(dev_root, shared, n)) gpu.nodes.push_back(n);
        }
        out.push_back(std::move(gpu));
    }
    return out;
}

std::vector<HostUsb> host_usb_devices(const fs::path& sys_root) {
    std::vector<HostUsb> out;
    std::error_code ec;
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(sys_root / "bus/usb/devices", ec)) entries.push_back(e.path());
    std::sort(entries.begin(), entries.end());
    for (const auto& dir : entries) {
        // Interfaces ("1-1:1.0") have no idVendor; devices and root hubs do.
        std::string vendor = attr(dir / "idVendor");
        if (vendor.empty()) continue;
        HostUsb u;
        u.vendor = lower(vendor);
        u.product = lower(attr(dir / "idProduct"));
        u.serial = attr(dir / "serial");
        std::string bus = attr(dir / "busnum"), dev = attr(dir / "devnum");
        if (!is_number(bus) || !is_number(dev)) continue;
        u.bus = static_cast<unsigned>(std::stoul(bus));
        u.dev = static_cast<unsigned>(std::stoul(dev));
        if (!parse_major_minor(attr(dir / "dev"), u.node.major, u.node.minor)) {
            u.node.major = 189;  // usb_device; minors count (bus - 1) * 128 + (dev - 1)
            u.node.minor = (u.bus - 1) * 128 + (u.dev - 1);
        }
        u.node.type = 'c';
        u.node.path = fmt::format("/dev/bus/usb/{:03}/{:03}", u.bus, u.dev);
        out.push_back(std::move(u));
    }
    return out;
}

std::vector<UnixNode> gpu_nodes(const std::string& name, const api::ConfigMap& d, const std::vector<HostGpu>& gpus) {
    std::string vendor = lower(config::device_value(d, "vendorid"));
    std::string product = lower(config::device_value(d, "productid"));
    std::string id = config::device_value(d, "id");
    std::string pci = lower(config::device_value(d, "pci"));
    // LXD accepts a PCI address without its domain ("00:02.0").
    if (!pci.empty() && std::count(pci.begin(), pci.end(), ':') == 1) pci = "0000:" + pci;
    std::vector<UnixNode> nodes;
    for (const auto& gpu : gpus) {
        if ((!vendor.empty() && gpu.vendor != vendor) || (!product.empty() && gpu.product != product) ||
            (!id.empty() && gpu.id != id) || (!pci.empty() && lower(gpu.pci) != pci))
            continue;
        for (const auto& n : gpu.nodes)
            if (std::none_of(nodes.begin(), nodes.end(), [&](const UnixNode& m) { return m.path == n.path; })) nodes.push_back(n);
    }
    if (nodes.empty()) {
        std::string filters;
        for (const char* key : {"vendorid", "productid", "id", "pci"})
            if (std::string v = config::device_value(d, key); !v.empty()) filters += fmt::format("{}{}={}", filters.empty() ? "" : " ", key, v);
        throw Error(ErrorCode::NotFound,
                    fmt::format("device \"{}\": no GPU on this host matches{}", name, filters.empty() ? std::string() : " " + filters),
                    "devices." + name);
    }
    apply_owner(name, d, nodes);
    return nodes;
}

std::vector<UnixNode> usb_nodes(const std::string& name, const api::ConfigMap& d, const std::vector<HostUsb>& devices) {
    std::string vendor = lower(config::device_value(d, "vendorid"));
    std::string product = lower(config::device_value(d, "productid"));
    std::string serial = config::device_value(d, "serial");
    std::vector<UnixNode> nodes;
    for (const auto& u : devices) {
        if ((!vendor.empty() && u.vendor != vendor) || (!product.empty() && u.product != product) ||
            (!serial.empty() && u.serial != serial))
            continue;
        nodes.push_back(u.node);
    }
    if (nodes.empty()) {
        std::string required = config::device_value(d, "required");
        if (required.empty() || !config::is_true(required)) return nodes;
        throw Error(ErrorCode::NotFound,
                    fmt::format("device \"{}\": no USB device on this host matches vendorid={}{}{}", name,
                                config::device_value(d, "vendorid"),
                                product.empty() ? "" : " productid=" + config::device_value(d, "productid"),
                                serial.empty() ? "" : " serial=" + serial),
                    "devices." + name);
    }
    apply_owner(name, d, nodes);
    return nodes;
}

}  // namespace li
