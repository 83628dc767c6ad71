#include "sys/disk_usage.hpp"

#include <ftw.h>
#include <set>
#include <sys/stat.h>
#include <utility>

namespace li {

namespace {

// nftw has no user pointer; thread-local totals keep concurrent walks apart.
thread_local int64_t walk_total = 0;
thread_local std::set<std::pair<dev_t, ino_t>>* walk_seen = nullptr;

int count_entry(const char*, const struct stat* st, int type, struct FTW*) {
    if (type == FTW_NS) return 0;
    if (st->st_nlink > 1 && !walk_seen->insert({st->st_dev, st->st_ino}).second) return 0;
    walk_total += static_cast<int64_t>(st->st_blocks) * 512;
    return 0;
}

}  // namespace

int64_t tree_disk_usage(const std::string& dir) {
    std::set<std::pair<dev_t, ino_t>> seen;
    walk_seen = &seen;
    walk_total = 0;
    // FTW_MOUNT stays on dir's file system; FTW_PHYS never follows a symlink.
    ::nftw(dir.c_str(), count_entry, 32, FTW_MOUNT | FTW_PHYS);
    walk_seen = nullptr;
    return walk_total;
}

}  // namespace li
