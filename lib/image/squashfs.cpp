#include "image/squashfs.hpp"

#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "libinstance/error.hpp"
#include "sys/subprocess.hpp"

namespace li {

namespace fs = std::filesystem;

bool is_squashfs(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    return in.gcount() == 4 && std::string_view(magic, 4) == "hsqs";
}

uint64_t scan_squashfs(const fs::path& file, const UnpackLimits& limits) {
    // The superblock's bytes_used (offset 40, little endian) against the file: truncation shows.
    {
        std::ifstream in(file, std::ios::binary);
        unsigned char sb[48] = {};
        in.read(reinterpret_cast<char*>(sb), sizeof sb);
        uint64_t used = 0;
        for (int i = 7; i >= 0; --i) used = (used << 8) | sb[40 + i];
        if (in.gcount() < static_cast<std::streamsize>(sizeof sb) || used > fs::file_size(file))
            throw Error::invalid(file.string(), fmt::format("image {} is a truncated squashfs ({} of {} bytes)", file.string(),
                                                            fs::file_size(file), used));
    }
    try {
        run_checked({"unsquashfs", "-s", file.string()}, "reading the squashfs superblock");
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Cancelled) throw;
        throw Error::invalid(file.string(), fmt::format("image {} is not a valid squashfs: {}", file.string(), e.what()));
    }
    std::string listing;
    try {
        listing = run_checked({"unsquashfs", "-lln", "-d", "", file.string()}, "listing the squashfs");
    } catch (const Error& e) {
        throw Error::invalid(file.string(), fmt::format("image {} is a truncated or corrupt squashfs: {}", file.string(), e.what()));
    }
    // "-rw-r--r-- 0/0   1234 2023-01-01 00:00 /etc/passwd"; devices list "major,minor" instead.
    const uint64_t limit = limits.limit_for(fs::file_size(file));
    uint64_t total = 0;
    std::istringstream lines(listing);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string mode, owner, size, date, time, name;
        if (!(fields >> mode >> owner >> size >> date >> time)) continue;
        std::getline(fields, name);
        if (auto arrow = name.find(" -> "); mode[0] == 'l' && arrow != std::string::npos) name.resize(arrow);
        if (name.find("/../") != std::string::npos || name.ends_with("/..") || name.find("/./") != std::string::npos)
            throw Error::invalid(name, fmt::format("image {} has an entry escaping its directory: \"{}\"", file.string(), name));
        if (size.find_first_not_of("0123456789") == std::string::npos && !size.empty()) total += std::stoull(size);
        if (total > limit)
            throw Error::invalid(file.string(),
                                 limit >= limits.max_bytes
                                     ? fmt::format("image {} is too large: it unpacks to more than {} bytes (limit {} bytes, "
                                                   "setting images.unpack_max_size)", file.string(), limit, limits.max_bytes)
                                     : fmt::format("image {} looks like a decompression bomb: it unpacks to more than {} bytes, "
                                                   "over {}x its compressed size (setting images.unpack_max_ratio)",
                                                   file.string(), limit, limits.max_ratio));
    }
    return total;
}

void unpack_squashfs(const fs::path& file, const fs::path& rootfs, std::stop_token stop) {
    try {
        run_checked({"unsquashfs", "-n", "-d", rootfs.string(), file.string()}, "unpacking the squashfs", stop);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Cancelled) throw;
        throw Error::invalid(file.string(), fmt::format("unpacking image {}: {}", file.string(), e.what()));
    }
}

}  // namespace li
