#pragma once
// Writing an initramfs: a "newc" cpio archive (the format the kernel unpacks), built in memory
// entry by entry, root-owned, one fixed mtime.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace li {

class CpioWriter {
public:
    explicit CpioWriter(time_t mtime) : mtime_(mtime) {}

    void dir(const std::string& path, mode_t mode = 0755);
    void file(const std::string& path, std::string_view content, mode_t mode = 0644);
    void symlink(const std::string& path, const std::string& target);
    void char_device(const std::string& path, unsigned major, unsigned minor, mode_t mode = 0600);
    /// The archive with its trailer; the writer is done after this.
    std::string finish();

private:
    void add(const std::string& path, uint32_t mode, std::string_view data, unsigned rmajor = 0, unsigned rminor = 0);
    std::string out_;
    time_t mtime_;
    uint32_t ino_ = 1;
};

}  // namespace li
