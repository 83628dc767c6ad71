#pragma once
// li::MappedFile: a whole file mapped read-only, to parse a large body (a multipart upload or
// export) in place instead of reading it into memory.

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace li {

class MappedFile {
public:
    /// System error naming the path when it cannot be opened or mapped.
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    std::string_view view() const { return {static_cast<const char*>(data_), size_}; }

private:
    void* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace li
