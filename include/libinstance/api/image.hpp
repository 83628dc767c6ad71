#pragma once
// LXD REST schema types for images (api.Image, api.ImageAlias).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
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

/// LXD's api.ImagePut: what an image update replaces (PUT semantics: every field).
struct ImagePut {
    std::map<std::string, std::string> properties;
    bool public_ = false;
    bool auto_update = false;
    std::string expires_at;  ///< RFC 3339, or empty for never
};

/// The editable part of an image, as LXD's PUT body.
ImagePut image_put_of(const Image& image);
/// Parses an ImagePut document; unknown fields are ignored like LXD, wrong types are
/// InvalidArgument naming the field.
ImagePut image_put_from_json(std::string_view json);
std::string to_json(const ImagePut& put);

/// LXD's api.ImageAliasesEntry.
struct ImageAliasesEntry {
    std::string name;
    std::string description;
    std::string target;  ///< the image's fingerprint
    std::string type = "container";
};

std::string to_json(const ImageAliasesEntry& alias);
std::string to_json(const std::vector<ImageAliasesEntry>& aliases);

/// A JSON object of strings (image properties, settings) and back; InvalidArgument naming field.
std::map<std::string, std::string> string_map_from_json(std::string_view json, const std::string& field);
std::string string_map_to_json(const std::map<std::string, std::string>& map);
/// A JSON array of strings.
std::string strings_to_json(const std::vector<std::string>& strings);

}  // namespace li::api
