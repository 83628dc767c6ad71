#include "sys/idmap.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <fstream>
#include <pwd.h>
#include <unistd.h>

#include "core/log.hpp"
#include "core/text.hpp"
#include "libinstance/error.hpp"

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

namespace {
// The ranges a subid file delegates to user (by name or numeric id), in file order.
std::vector<IdRange> subid_entries(const std::filesystem::path& file, const std::string& user, const std::string& numeric_id) {
    std::vector<IdRange> out;
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
        out.push_back(IdRange{start, size});
    }
    return out;
}
}  // namespace

IdRange find_subid_range(const std::filesystem::path& file, const std::string& user,
                         const std::string& numeric_id) {
    for (const auto& r : subid_entries(file, user, numeric_id))
        if (r.size >= kMinimumRange) return IdRange{r.host_start, std::min(r.size, kMaximumRange)};
    return {};
}

bool subid_delegates(const std::filesystem::path& file, const std::string& user, const std::string& numeric_id,
                     const IdRange& range) {
    for (const auto& r : subid_entries(file, user, numeric_id))
        if (range.host_start >= r.host_start && range.host_start + range.size <= r.host_start + r.size) return true;
    return false;
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

std::vector<IdMapLine> idmap_lines(const IdMap& map, bool uid) {
    const IdRange& main = uid ? map.uid : map.gid;
    std::vector<IdMapLine> holes;
    for (const auto& r : map.raw)
        if (uid ? r.is_uid : r.is_gid) holes.push_back({r.ns_start, r.host_start, r.size});
    std::sort(holes.begin(), holes.end(), [](const IdMapLine& a, const IdMapLine& b) { return a.ns_start < b.ns_start; });
    std::vector<IdMapLine> out;
    uint64_t next = 0;  // first container id of the main range not yet emitted
    auto emit_main = [&](uint64_t until) {
        until = std::min(until, main.size);
        if (until > next) out.push_back({next, main.host_start + next, until - next});
    };
    for (const auto& h : holes) {
        emit_main(h.ns_start);
        out.push_back(h);
        next = std::max(next, h.ns_start + h.size);
    }
    emit_main(main.size);
    return out;
}

std::optional<uint64_t> to_host_id(const IdMap& map, bool uid, uint64_t ns_id) {
    for (const auto& l : idmap_lines(map, uid))
        if (ns_id >= l.ns_start && ns_id - l.ns_start < l.size) return l.host_start + (ns_id - l.ns_start);
    return std::nullopt;
}

std::optional<uint64_t> to_container_id(const IdMap& map, bool uid, uint64_t host_id) {
    for (const auto& l : idmap_lines(map, uid))
        if (host_id >= l.host_start && host_id - l.host_start < l.size) return l.ns_start + (host_id - l.host_start);
    return std::nullopt;
}

void check_raw_entries_fit(const IdMap& map) {
    for (bool uid : {true, false}) {
        auto lines = idmap_lines(map, uid);
        for (const auto& r : map.raw) {
            if (!(uid ? r.is_uid : r.is_gid)) continue;
            for (const auto& l : lines) {
                bool is_raw = l.ns_start == r.ns_start && l.host_start == r.host_start && l.size == r.size;
                uint64_t first = std::max(r.host_start, l.host_start);
                if (is_raw || first >= std::min(r.host_start + r.size, l.host_start + l.size)) continue;
                const char* kind = uid ? "uid" : "gid";
                throw Error::invalid("config.raw.idmap",
                                     fmt::format("raw.idmap maps host {}s {}-{}, but host {} {} already is container {} {} "
                                                 "in the container's own range",
                                                 kind, r.host_start, r.host_start + r.size - 1, kind, first, kind,
                                                 l.ns_start + (first - l.host_start)));
            }
        }
    }
}

namespace {

// "1000" or "1000-1999" as (start, size).
bool parse_id_range(std::string_view text, uint64_t& start, uint64_t& size) {
    auto dash = text.find('-');
    uint64_t end = 0;
    if (dash == std::string_view::npos) {
        if (!parse_u64(text, start)) return false;
        end = start;
    } else if (!parse_u64(text.substr(0, dash), start) || !parse_u64(text.substr(dash + 1), end) || end < start) {
        return false;
    }
    if (end > UINT32_MAX - 1) return false;
    size = end - start + 1;
    return true;
}

}  // namespace

std::vector<IdRawEntry> parse_raw_idmap(std::string_view text) {
    std::vector<IdRawEntry> out;
    for (std::string_view line : split_view(text, '\n')) {
        std::vector<std::string_view> words = split_words(line);
        if (words.empty() || words[0].front() == '#') continue;
        auto bad = [&](const std::string& why) {
            return Error::invalid("config.raw.idmap", fmt::format("invalid raw.idmap line \"{}\": {}", line, why));
        };
        if (words.size() != 3) throw bad("expected \"both|uid|gid HOST CONTAINER\"");
        IdRawEntry e;
        if (words[0] == "both") e.is_uid = e.is_gid = true;
        else if (words[0] == "uid") e.is_uid = true;
        else if (words[0] == "gid") e.is_gid = true;
        else throw bad(fmt::format("unknown type \"{}\" (expected both, uid or gid)", words[0]));
        uint64_t host_size = 0, ns_size = 0;
        if (!parse_id_range(words[1], e.host_start, host_size)) throw bad(fmt::format("bad host id or range \"{}\"", words[1]));
        if (!parse_id_range(words[2], e.ns_start, ns_size)) throw bad(fmt::format("bad container id or range \"{}\"", words[2]));
        if (host_size != ns_size) throw bad("the host and container ranges differ in length");
        e.size = ns_size;
        for (const auto& o : out) {
            bool same_kind = (o.is_uid && e.is_uid) || (o.is_gid && e.is_gid);
            auto overlap = [](uint64_t a, uint64_t as, uint64_t b, uint64_t bs) { return a < b + bs && b < a + as; };
            if (same_kind && (overlap(o.ns_start, o.size, e.ns_start, e.size) || overlap(o.host_start, o.size, e.host_start, e.size)))
                throw bad("overlaps an earlier entry");
        }
        out.push_back(e);
    }
    return out;
}

}  // namespace li
