#include "storage/volume_layout.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <sys/stat.h>

#include "libinstance/error.hpp"

namespace li {

const char* volume_type_dir(VolumeType type) {
    switch (type) {
    case VolumeType::Container: return "containers";
    case VolumeType::Image: return "images";
    case VolumeType::Custom: return "custom";
    }
    return "unknown";
}

std::filesystem::path volume_staging_path(const std::filesystem::path& final_path) {
    std::filesystem::path p = final_path;
    p += ".creating";
    return p;
}

std::vector<std::filesystem::path> staging_leftovers(const std::filesystem::path& pool_root) {
    namespace fs = std::filesystem;
    std::vector<fs::path> out;
    auto collect = [&](const fs::path& dir) {
        std::error_code ec;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().filename().string().ends_with(".creating")) out.push_back(it->path());
    };
    for (VolumeType type : {VolumeType::Container, VolumeType::Image, VolumeType::Custom}) {
        fs::path volumes = pool_root / volume_type_dir(type);
        collect(volumes);
        std::error_code ec;
        fs::path snapshots = volumes;
        snapshots += "-snapshots";
        for (fs::directory_iterator it(snapshots, ec), end; !ec && it != end; it.increment(ec))
            if (it->is_directory(ec)) collect(it->path());
    }
    return out;
}

void make_dir_with_mode(const std::filesystem::path& dir, mode_t mode) {
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) throw Error::from_errno(fmt::format("creating {}", dir.string()), errno);
    ::chmod(dir.c_str(), mode);
}

}  // namespace li
