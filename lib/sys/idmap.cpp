#include "sys/idmap.hpp"

#include <charconv>
#include <fmt/format.h>
#include <fstream>
#include <pwd.h>
#include <unistd.h>

#include "core/log.hpp"

namespace li {

namespace {
// LXD's defaults for root when the system has no subordinate ids configured.
constexpr IdRange kRootFallback{1000000, 1000000000};
constexpr uint64_t kMinimumRange = 65536;
constexpr uint64_t kMaximumRange = 1000000000;

bool parse_u64(std::string_view text, uint64_t& out) {
    auto res = std::from_chars(text.data(), text.data() + text.size(), out);
    return res.ec == std::errc() && res.ptr == text.data() + text.size();
}
}  // namespace

IdRange find_subid_range(const std::filesystem::path& file, const std::string& user,
                         const std::string& numeric_id) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        auto c1 = line.find(':');
        auto c2 = line.find(':', c1 == std::string::npos ? 0 : c1 + 1);
        if (c1 == std::string::npos || c2 == std::string::npos) continue;
        std::string owner = line.substr(0, c1);
        if (owner != user && owner != numeric_id) continue;
        uint64_t start = 0, size = 0;
        if (!parse_u64(std::string_view(line).substr(c1 + 1, c2 - c1 - 1), start)) continue;
        if (!parse_u64(std::string_view(line).substr(c2 + 1), size)) continue;
        if (size < kMinimumRange) continue;
        return IdRange{start, std::min(size, kMaximumRange)};
    }
    return {};
}

IdMap host_idmap() {
    uid_t uid = ::getuid();
    std::string name = std::to_string(uid);
    if (struct passwd* pw = ::getpwuid(uid)) name = pw->pw_name;
    IdMap map;
    map.uid = find_subid_range("/etc/subuid", name, std::to_string(uid));
    map.gid = find_subid_range("/etc/subgid", name, std::to_string(uid));
    if (uid == 0) {
        if (map.uid.size == 0) map.uid = kRootFallback;
        if (map.gid.size == 0) map.gid = kRootFallback;
    }
    if (map.uid.size == 0 || map.gid.size == 0)
        log::warn(fmt::format("no subordinate id range of {} ids in /etc/subuid or /etc/subgid", kMinimumRange),
                  {{"user", name}});
    return map;
}

}  // namespace li
