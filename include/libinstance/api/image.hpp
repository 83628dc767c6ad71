#pragma once
// LXD REST schema types for images (api.Image, api.ImageAlias).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace li::api {

/// One alias of an image, as listed in Image.aliases.
struct ImageAliasRef {
    std::string name;
    std::string description;
};

/// LXD's api.Image.
struct Image {
    std::string fingerprint;
    std::string filename;
    int64_t size = 0;
    std::string architecture;
    std::string type = "container";
    std::map<std::string, std::string> properties;
    std::vector<ImageAliasRef> aliases;
    bool public_ = false;
    bool auto_update = false;
    bool cached = false;
    std::string created_at;
    std::string uploaded_at;
    std::string expires_at;
    std::string last_used_at;
    std::string project = "default";
};

std::string to_json(const Image& image);
std::string to_json(const std::vector<Image>& images);

}  // namespace li::api
