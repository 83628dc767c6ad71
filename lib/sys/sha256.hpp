#pragma once
// SHA-256 of files and streams, as lowercase hex (LXD's image fingerprints).

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace li {

/// Incremental SHA-256.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view data);
    void update(const void* data, size_t size);
    std::string hex_digest();

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// SHA-256 of a file's content.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace li
