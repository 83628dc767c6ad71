#include "sys/cgroup_reader.hpp"

#include <cerrno>
#include <fcntl.h>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        size_t at = text.find(sep);
        out.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return out;
        text.remove_prefix(at + 1);
    }
}

// The whole of a small file (proc and cgroup files report no size, so read to the end).
std::optional<std::string> read_small_file(const char* path) {
    UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) return out;
        out.append(buf, static_cast<size_t>(n));
    }
}

// mountinfo escapes space, tab, newline and backslash in paths as \ooo.
std::string unescape_mount_path(std::string_view in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '\\' && i + 3 < in.size()) {
            auto octal = [&](size_t k) { return in[k] >= '0' && in[k] <= '7'; };
            if (octal(i + 1) && octal(i + 2) && octal(i + 3)) {
                out += static_cast<char>((in[i + 1] - '0') * 64 + (in[i + 2] - '0') * 8 + (in[i + 3] - '0'));
                i += 3;
                continue;
            }
        }
        out += in[i];
    }
    return out;
}

struct CgroupMount {
    bool v2 = false;
    std::vector<std::string> options;  // v1 super options: "rw", "cpu", "cpuacct", "name=systemd", ...
    std::string root;                  // the hierarchy's directory shown at the mount point
    fs::path mount_point;
};

std::vector<CgroupMount> cgroup_mounts(std::string_view mountinfo) {
    std::vector<CgroupMount> out;
    for (std::string_view line : split(mountinfo, '\n')) {
        // id parent major:minor root mount-point options [optional...] - fstype source super-options
        size_t dash = line.find(" - ");
        if (dash == std::string_view::npos) continue;
        auto head = split(line.substr(0, dash), ' ');
        auto tail = split(line.substr(dash + 3), ' ');
        if (head.size() < 5 || tail.size() < 3) continue;
        CgroupMount m;
        if (tail[0] == "cgroup2") m.v2 = true;
        else if (tail[0] != "cgroup") continue;
        m.root = unescape_mount_path(head[3]);
        m.mount_point = unescape_mount_path(head[4]);
        for (auto opt : split(tail[2], ',')) m.options.emplace_back(opt);
        out.push_back(std::move(m));
    }
    return out;
}

// The directory of cgroup `path` under mount m; nullopt when the mount shows another part of the
// hierarchy (a bind mount of a sub-cgroup that does not hold path).
std::optional<fs::path> directory_under(const CgroupMount& m, const std::string& path) {
    std::string_view rest = path;
    if (m.root != "/") {
        if (rest.substr(0, m.root.size()) != m.root) return std::nullopt;
        rest.remove_prefix(m.root.size());
        if (!rest.empty() && rest.front() != '/') return std::nullopt;
    }
    while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
    return rest.empty() ? m.mount_point : m.mount_point / rest;
}

// The path cut after the last component equal to limit (or unchanged when it has none).
std::string limited(std::string_view path, std::string_view limit) {
    if (limit.empty()) return std::string(path);
    auto parts = split(path, '/');
    for (size_t i = parts.size(); i-- > 0;) {
        if (parts[i] != limit) continue;
        std::string out;
        for (size_t k = 0; k <= i; ++k) {
            if (k) out += '/';
            out += parts[k];
        }
        return out;
    }
    return std::string(path);
}

bool has_option(const CgroupMount& m, std::string_view controller) {
    for (const auto& o : m.options)
        if (o == controller) return true;
    return false;
}

}  // namespace

std::optional<CgroupReader> CgroupReader::parse(std::string_view proc_cgroup, std::string_view mountinfo,
                                                std::string_view limit_component) {
    std::vector<CgroupMount> mounts = cgroup_mounts(mountinfo);
    CgroupReader reader;
    for (std::string_view line : split(proc_cgroup, '\n')) {
        // hierarchy-id:controller-list:path; the unified hierarchy is "0::path".
        size_t a = line.find(':');
        size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
        if (b == std::string_view::npos) continue;
        std::string_view list = line.substr(a + 1, b - a - 1);
        std::string path = limited(line.substr(b + 1), limit_component);
        if (list.empty()) {
            for (const auto& m : mounts) {
                if (!m.v2) continue;
                if (auto dir = directory_under(m, path)) {
                    reader.unified_ = *dir;
                    break;
                }
            }
            continue;
        }
        auto controllers = split(list, ',');
        for (const auto& m : mounts) {
            // A v1 mount of this hierarchy carries its first controller (or name=) among its options.
            if (m.v2 || !has_option(m, controllers.front())) continue;
            auto dir = directory_under(m, path);
            if (!dir) continue;
            for (auto c : controllers) reader.v1_.emplace(std::string(c), *dir);
            break;
        }
    }
    if (reader.v1_.empty() && !reader.unified_) return std::nullopt;
    return reader;
}

std::optional<CgroupReader> CgroupReader::of_pid(pid_t pid, std::string_view limit_component) {
    auto proc_cgroup = read_small_file(("/proc/" + std::to_string(pid) + "/cgroup").c_str());
    if (!proc_cgroup) return std::nullopt;
    // The daemon's mount table, cached: it stays put while the daemon runs, and reading it costs
    // as much as everything else here. A cgroup file system mounted later is found on a miss.
    static std::mutex mutex;
    static std::string cached_mountinfo;
    std::string mountinfo;
    {
        std::lock_guard lock(mutex);
        mountinfo = cached_mountinfo;
    }
    if (!mountinfo.empty()) {
        if (auto reader = parse(*proc_cgroup, mountinfo, limit_component)) return reader;
    }
    auto fresh = read_small_file("/proc/self/mountinfo");
    if (!fresh) return std::nullopt;
    {
        std::lock_guard lock(mutex);
        cached_mountinfo = *fresh;
    }
    return parse(*proc_cgroup, *fresh, limit_component);
}

std::optional<std::string> CgroupReader::read(std::string_view file) const {
    auto dir = directory_of(file.substr(0, file.find('.')));
    if (!dir) return std::nullopt;
    auto text = read_small_file((*dir / file).c_str());
    if (!text) return std::nullopt;
    while (!text->empty() && (text->back() == '\n' || text->back() == '\0')) text->pop_back();
    return text;
}

std::optional<fs::path> CgroupReader::directory_of(std::string_view controller) const {
    if (auto it = v1_.find(controller); it != v1_.end()) return it->second;
    return unified_;
}

}  // namespace li
