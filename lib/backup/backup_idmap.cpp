// Shifting an LXD backup's files back to the container's own ids (see backup_idmap.hpp).
#include "backup/backup_idmap.hpp"

#include <fts.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li::backup {

namespace {

std::optional<uint64_t> unshift(const std::vector<IdRawEntry>& map, bool uid, uint64_t host_id) {
    for (const auto& e : map)
        if ((uid ? e.is_uid : e.is_gid) && host_id >= e.host_start && host_id - e.host_start < e.size)
            return e.ns_start + (host_id - e.host_start);
    return std::nullopt;
}

}  // namespace

void unshift_tree(const std::filesystem::path& dir, const std::vector<IdRawEntry>& map) {
    if (map.empty()) return;
    char* paths[] = {const_cast<char*>(dir.c_str()), nullptr};
    FTS* fts = ::fts_open(paths, FTS_PHYSICAL | FTS_XDEV | FTS_NOCHDIR, nullptr);
    if (!fts) throw Error::from_errno(fmt::format("walking {}", dir.string()), errno);
    struct Closer {
        FTS* f;
        ~Closer() { ::fts_close(f); }
    } closer{fts};
    while (FTSENT* e = ::fts_read(fts)) {
        if (e->fts_info == FTS_DP || !e->fts_statp) continue;
        if (e->fts_info == FTS_NS || e->fts_info == FTS_ERR || e->fts_info == FTS_DNR)
            throw Error(ErrorCode::System, fmt::format("walking {}: {}", e->fts_path, ::strerror(e->fts_errno)));
        const struct stat& st = *e->fts_statp;
        auto uid = unshift(map, true, st.st_uid);
        auto gid = unshift(map, false, st.st_gid);
        if (!uid && !gid) continue;
        const bool link = S_ISLNK(st.st_mode);
        std::string caps;
        if (!link) {
            char buf[256];
            ssize_t n = ::lgetxattr(e->fts_path, "security.capability", buf, sizeof buf);
            if (n > 0) caps.assign(buf, static_cast<size_t>(n));
        }
        if (::lchown(e->fts_path, uid ? static_cast<uid_t>(*uid) : static_cast<uid_t>(-1),
                     gid ? static_cast<gid_t>(*gid) : static_cast<gid_t>(-1)) != 0)
            throw Error::from_errno(fmt::format("chown {}", e->fts_path), errno);
        if (link) continue;
        if (::chmod(e->fts_path, st.st_mode & 07777) != 0) throw Error::from_errno(fmt::format("chmod {}", e->fts_path), errno);
        if (!caps.empty() && ::lsetxattr(e->fts_path, "security.capability", caps.data(), caps.size(), 0) != 0)
            throw Error::from_errno(fmt::format("restoring the capabilities of {}", e->fts_path), errno);
    }
}

}  // namespace li::backup
