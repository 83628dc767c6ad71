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

void make_dir_with_mode(const std::filesystem::path& dir, mode_t mode) {
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) throw Error::from_errno(fmt::format("creating {}", dir.string()), errno);
    ::chmod(dir.c_str(), mode);
}

}  // namespace li
