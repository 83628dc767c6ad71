#pragma once
// Compares a renderer's output with its file under tests/data/golden; LI_UPDATE_GOLDEN=1 rewrites
// the file instead.

#include <doctest.h>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "sys/fs.hpp"

namespace li::test {

inline void check_golden(const std::string& name, const std::string& actual) {
    std::filesystem::path file = std::filesystem::path(LI_GOLDEN_DIR) / name;
    if (const char* update = std::getenv("LI_UPDATE_GOLDEN"); update && *update == '1') write_file_atomic(file, actual);
    REQUIRE_MESSAGE(std::filesystem::exists(file), "missing golden file ", file.string());
    CHECK(read_file(file) == actual);
}

}  // namespace li::test
