#include "resource_routes.hpp"

// The host's resources read from /proc and /sys, as LXD's resources package does, limited to
// what instanced can report honestly: CPU topology, memory and block disks. GPU, network
// cards, USB and PCI are empty lists (clients only iterate them); system fields are read
// from DMI when the host exposes it, else empty.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/utsname.h>

#include "response.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A sysfs/procfs file's first line, trimmed; "" when unreadable.
std::string read_line(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    return line;
}

uint64_t read_u64(const fs::path& path, uint64_t fallback = 0) {
    try {
        std::string text = read_line(path);
        return text.empty() ? fallback : std::stoull(text);
    } catch (const std::exception&) {
        return fallback;
    }
}

// "32K" / "1024K" / "8M" (cache sizes) in bytes.
uint64_t size_with_suffix(std::string text) {
    if (text.empty()) return 0;
    uint64_t unit = 1;
    switch (text.back()) {
        case 'K': unit = 1024; text.pop_back(); break;
        case 'M': unit = 1024 * 1024; text.pop_back(); break;
        case 'G': unit = 1024ull * 1024 * 1024; text.pop_back(); break;
    }
    try {
        return std::stoull(text) * unit;
    } catch (const std::exception&) {
        return 0;
    }
}

// /proc/cpuinfo's blocks, by processor number: key -> value.
std::map<uint64_t, std::map<std::string, std::string>> cpuinfo() {
    std::map<uint64_t, std::map<std::string, std::string>> out;
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    std::map<std::string, std::string> block;
    auto flush = [&] {
        if (block.contains("processor")) {
            try {
                out[std::stoull(block["processor"])] = block;
            } catch (const std::exception&) {
            }
        }
        block.clear();
    };
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) {
            flush();
            continue;
        }
        std::string key = line.substr(0, colon), value = line.substr(colon + 1);
        while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        block[key] = value;
    }
    flush();
    return out;
}

json cpu_resources() {
    struct utsname uts {};
    ::uname(&uts);
    auto info = cpuinfo();
    const fs::path sys = "/sys/devices/system/cpu";
    // socket -> core -> threads; each thread: its cpu number.
    std::map<uint64_t, std::map<uint64_t, std::vector<uint64_t>>> topology;
    std::map<uint64_t, uint64_t> die_of_core;
    std::vector<uint64_t> cpus;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(sys, ec)) {
        std::string name = entry.path().filename().string();
        if (!name.starts_with("cpu") || name.size() < 4 || name.find_first_not_of("0123456789", 3) != std::string::npos) continue;
        cpus.push_back(std::stoull(name.substr(3)));
    }
    if (cpus.empty())
        for (const auto& [n, _] : info) cpus.push_back(n);
    std::sort(cpus.begin(), cpus.end());
    uint64_t total = 0;
    for (uint64_t cpu : cpus) {
        fs::path dir = sys / ("cpu" + std::to_string(cpu));
        auto field = [&](const char* key) -> uint64_t {
            auto it = info.find(cpu);
            if (it == info.end() || !it->second.contains(key)) return 0;
            try {
                return std::stoull(it->second.at(key));
            } catch (const std::exception&) {
                return 0;
            }
        };
        // sysfs topology when the kernel has it (hot-unplugged CPUs lose it), else cpuinfo's.
        uint64_t socket = read_u64(dir / "topology/physical_package_id", field("physical id"));
        uint64_t core = read_u64(dir / "topology/core_id", field("core id"));
        topology[socket][core].push_back(cpu);
        die_of_core[socket << 32 | core] = read_u64(dir / "topology/die_id", 0);
        total++;
    }
    json sockets = json::array();
    for (const auto& [socket, cores] : topology) {
        uint64_t first = cores.begin()->second.front();
        const auto& block = info.contains(first) ? info.at(first) : std::map<std::string, std::string>{};
        auto text = [&](const char* key) { return block.contains(key) ? block.at(key) : std::string(); };
        fs::path cpu_dir = sys / ("cpu" + std::to_string(first));
        json caches = json::array();
        std::vector<fs::path> indexes;  // index0, index1...: listed in the kernel's order
        for (const auto& entry : fs::directory_iterator(cpu_dir / "cache", ec))
            if (entry.path().filename().string().starts_with("index")) indexes.push_back(entry.path());
        std::sort(indexes.begin(), indexes.end());
        for (const auto& index : indexes)
            caches.push_back(json{{"level", read_u64(index / "level")},
                                  {"type", read_line(index / "type")},
                                  {"size", size_with_suffix(read_line(index / "size"))}});
        uint64_t mhz = 0;
        try {
            mhz = static_cast<uint64_t>(std::stod(text("cpu MHz")));
        } catch (const std::exception&) {
        }
        json core_list = json::array();
        for (const auto& [core, threads] : cores) {
            json thread_list = json::array();
            uint64_t index = 0;
            for (uint64_t cpu : threads) {
                fs::path dir = sys / ("cpu" + std::to_string(cpu));
                uint64_t node = 0;
                for (const auto& entry : fs::directory_iterator(dir, ec)) {
                    std::string name = entry.path().filename().string();
                    if (name.starts_with("node") && name.size() > 4) node = std::stoull(name.substr(4));
                }
                thread_list.push_back(json{{"id", cpu},
                                           {"numa_node", node},
                                           {"thread", index++},
                                           {"online", read_u64(dir / "online", 1) == 1},
                                           {"isolated", false}});
            }
            uint64_t freq = read_u64(sys / ("cpu" + std::to_string(threads.front())) / "cpufreq/scaling_cur_freq") / 1000;
            core_list.push_back(json{{"core", core}, {"die", die_of_core[socket << 32 | core]}, {"threads", thread_list}, {"frequency", freq ? freq : mhz}});
        }
        sockets.push_back(json{{"socket", socket},
                               {"name", text("model name")},
                               {"vendor", text("vendor_id")},
                               {"cache", caches},
                               {"cores", core_list},
                               {"frequency", mhz},
                               {"frequency_minimum", read_u64(cpu_dir / "cpufreq/cpuinfo_min_freq") / 1000},
                               {"frequency_turbo", read_u64(cpu_dir / "cpufreq/cpuinfo_max_freq") / 1000}});
    }
    return json{{"architecture", uts.machine}, {"sockets", sockets}, {"total", total}};
}

json memory_resources() {
    // /proc/meminfo values in kB.
    std::map<std::string, uint64_t> kb;
    std::ifstream in("/proc/meminfo");
    std::string key;
    uint64_t value = 0;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        if (fields >> key >> value) kb[key.substr(0, key.find(':'))] = value;
    }
    uint64_t total = kb["MemTotal"] * 1024;
    // LXD counts page cache and buffers as free.
    uint64_t free = (kb["MemFree"] + kb["Cached"] + kb["Buffers"]) * 1024;
    uint64_t huge_size = kb["Hugepagesize"] * 1024;
    return json{{"nodes", json::array()},
                {"hugepages_total", kb["HugePages_Total"] * huge_size},
                {"hugepages_used", (kb["HugePages_Total"] - std::min(kb["HugePages_Total"], kb["HugePages_Free"])) * huge_size},
                {"hugepages_size", huge_size},
                {"used", total > free ? total - free : 0},
                {"total", total}};
}

// The disk's kind as LXD names it, guessed from the kernel's device name.
std::string disk_type(const std::string& name) {
    if (name.starts_with("nvme")) return "nvme";
    if (name.starts_with("vd")) return "virtio";
    if (name.starts_with("sd")) return "scsi";
    if (name.starts_with("mmcblk")) return "mmc";
    return "";
}

json storage_resources() {
    json disks = json::array();
    std::error_code ec;
    std::vector<fs::path> blocks;
    for (const auto& entry : fs::directory_iterator("/sys/block", ec)) blocks.push_back(entry.path());
    std::sort(blocks.begin(), blocks.end());
    for (const auto& dir : blocks) {
        std::string name = dir.filename().string();
        // Loop, RAM and compressed-RAM devices are not disks (LXD skips them too).
        if (name.starts_with("loop") || name.starts_with("ram") || name.starts_with("zram") || name.starts_with("dm-")) continue;
        json partitions = json::array();
        std::vector<fs::path> children;
        for (const auto& entry : fs::directory_iterator(dir, ec))
            if (fs::exists(entry.path() / "partition")) children.push_back(entry.path());
        std::sort(children.begin(), children.end());
        for (const auto& part : children)
            partitions.push_back(json{{"id", part.filename().string()},
                                      {"device", read_line(part / "dev")},
                                      {"read_only", read_u64(part / "ro") == 1},
                                      {"size", read_u64(part / "size") * 512},
                                      {"partition", read_u64(part / "partition")}});
        bool rotational = read_u64(dir / "queue/rotational") == 1;
        disks.push_back(json{{"id", name},
                             {"device", read_line(dir / "dev")},
                             {"model", read_line(dir / "device/model")},
                             {"type", disk_type(name)},
                             {"read_only", read_u64(dir / "ro") == 1},
                             {"size", read_u64(dir / "size") * 512},
                             {"removable", read_u64(dir / "removable") == 1},
                             {"wwn", read_line(dir / "wwid")},
                             {"numa_node", 0},
                             {"device_path", ""},
                             {"block_size", read_u64(dir / "queue/logical_block_size")},
                             {"firmware_version", read_line(dir / "device/firmware_rev")},
                             {"rpm", rotational ? 1 : 0},  // LXD: 0 for solid state, unknown speed otherwise
                             {"serial", read_line(dir / "device/serial")},
                             {"device_id", ""},
                             {"partitions", partitions}});
    }
    return json{{"disks", disks}, {"total", disks.size()}};
}

json system_resources() {
    const fs::path dmi = "/sys/class/dmi/id";
    auto d = [&](const char* file) { return read_line(dmi / file); };
    return json{{"uuid", d("product_uuid")},
                {"vendor", d("sys_vendor")},
                {"product", d("product_name")},
                {"family", d("product_family")},
                {"version", d("product_version")},
                {"sku", d("product_sku")},
                {"serial", d("product_serial")},
                {"type", fs::exists(dmi) ? "physical" : "unknown"},
                {"firmware", json{{"vendor", d("bios_vendor")}, {"date", d("bios_date")}, {"version", d("bios_version")}}},
                {"chassis", json{{"vendor", d("chassis_vendor")}, {"type", d("chassis_type")}, {"serial", d("chassis_serial")}, {"version", d("chassis_version")}}},
                {"motherboard", json{{"vendor", d("board_vendor")}, {"product", d("board_name")}, {"serial", d("board_serial")}, {"version", d("board_version")}}}};
}

}  // namespace

void add_resource_routes(Router& router) {
    router.add(http::verb::get, "/1.0/resources", [](const Call&) -> Reply {
        json empty_cards{{"cards", json::array()}, {"total", 0}};
        json empty_devices{{"devices", json::array()}, {"total", 0}};
        return sync_response(json{{"cpu", cpu_resources()},
                                  {"memory", memory_resources()},
                                  {"gpu", empty_cards},
                                  {"network", empty_cards},
                                  {"storage", storage_resources()},
                                  {"usb", empty_devices},
                                  {"pci", empty_devices},
                                  {"system", system_resources()}});
    });
}

}  // namespace li::daemon
