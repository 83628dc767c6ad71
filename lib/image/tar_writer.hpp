#pragma once
// Writing a gzip tarball entry by entry from memory (the busybox and debian-vm builders):
// root-owned entries with one fixed mtime and no gzip timestamp, so equal inputs give equal bytes.

#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>

struct archive;

namespace li {

class TarWriter {
public:
    TarWriter(const std::filesystem::path& out, time_t mtime);
    ~TarWriter();
    TarWriter(const TarWriter&) = delete;
    TarWriter& operator=(const TarWriter&) = delete;

    void dir(const std::string& path, mode_t mode = 0755);
    void file(const std::string& path, std::string_view content, mode_t mode = 0644);
    void symlink(const std::string& path, const std::string& target);
    /// Finishes the archive; throws System when it cannot be written.
    void close();

private:
    void add(const std::string& path, mode_t mode, std::string_view content, const std::string& link);
    struct Deleter {
        void operator()(archive* a) const;
    };
    std::unique_ptr<archive, Deleter> a_;
    time_t mtime_;
};

}  // namespace li
