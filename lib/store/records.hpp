#pragma once
// Rows of the state database as plain structs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libinstance/api/image.hpp"
#include "libinstance/api/instance.hpp"

namespace li {

struct ProfileRecord {
    int64_t id = 0;
    std::string project;
    std::string name;
    std::string description;
    api::ConfigMap config;
    api::DeviceMap devices;
};

struct PoolRecord {
    int64_t id = 0;
    std::string name;
    std::string driver;
    std::string description;
    api::ConfigMap config;
};

struct InstanceRecord {
    int64_t id = 0;
    std::string project;
    std::string name;
    std::string type = "container";
    std::string architecture;
    std::string description;
    bool ephemeral = false;
    std::string created_at;
    std::string last_used_at;
    api::ConfigMap config;
    api::DeviceMap devices;
    std::vector<std::string> profiles;  // in apply order
};

struct ImageRecord {
    int64_t id = 0;
    api::Image image;
};

}  // namespace li
