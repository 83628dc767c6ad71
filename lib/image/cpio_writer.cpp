#include "image/cpio_writer.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

namespace li {

void CpioWriter::dir(const std::string& path, mode_t mode) { add(path, S_IFDIR | mode, {}); }

void CpioWriter::file(const std::string& path, std::string_view content, mode_t mode) { add(path, S_IFREG | mode, content); }

void CpioWriter::symlink(const std::string& path, const std::string& target) { add(path, S_IFLNK | 0777, target); }

void CpioWriter::char_device(const std::string& path, unsigned major, unsigned minor, mode_t mode) {
    add(path, S_IFCHR | mode, {}, major, minor);
}

// newc: "070701", 13 fields of 8 hex digits, the name with its NUL, padding to 4 bytes, the data,
// padding to 4 bytes (see the kernel's Documentation/driver-api/early-userspace/buffer-format.rst).
void CpioWriter::add(const std::string& path, uint32_t mode, std::string_view data, unsigned rmajor, unsigned rminor) {
    bool dir = S_ISDIR(mode);
    out_ += fmt::format("070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}", ino_++, mode, 0,
                        0, dir ? 2 : 1, static_cast<uint32_t>(mtime_), data.size(), 0, 0, rmajor, rminor, path.size() + 1, 0);
    out_ += path;
    out_ += '\0';
    out_.append((4 - out_.size() % 4) % 4, '\0');
    out_ += data;
    out_.append((4 - out_.size() % 4) % 4, '\0');
}

std::string CpioWriter::finish() {
    add("TRAILER!!!", 0, {});
    return std::move(out_);
}

}  // namespace li
