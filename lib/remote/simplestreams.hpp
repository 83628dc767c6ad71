#pragma once
// Simplestreams (streams/v1/index.json + products:1.0 catalogs) as LXD image servers publish
// them, and the images such a catalog offers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/image.hpp"

namespace li {

/// One file of a product version ("items" entry).
struct SsItem {
    std::string ftype;  ///< lxd.tar.xz, root.tar.xz, squashfs, lxd_combined.tar.gz, ...
    std::string path;   ///< relative to the server's root
    std::string sha256;
    int64_t size = 0;
    std::string combined_sha256;           ///< on lxd.tar.xz: fingerprint with root.tar.xz
    std::string combined_rootxz_sha256;    ///< the same, newer spelling
    std::string combined_squashfs_sha256;  ///< on lxd.tar.xz: fingerprint with squashfs
};

struct SsVersion {
    std::string name;  ///< e.g. 20240101_12:00; the greatest name is the newest
    std::vector<SsItem> items;
};

struct SsProduct {
    std::string id;  ///< e.g. debian:bookworm:amd64:default
    std::string aliases;  ///< comma-separated
    std::string arch, os, release, release_title, variant;
    std::vector<SsVersion> versions;
};

/// The catalog paths (products:1.0, datatype image-downloads) listed by an index.json.
/// Malformed documents are Backend errors.
std::vector<std::string> parse_simplestreams_index(std::string_view json);
/// The products of a products:1.0 catalog.
std::vector<SsProduct> parse_simplestreams_products(std::string_view json);

/// One image offered by a server: how LXD shows it, and the files that make it.
struct RemoteImage {
    api::Image image;
    std::vector<std::string> aliases;  ///< the product's own aliases (what --copy-aliases copies)
    SsItem metadata;                   ///< the unified tarball, or the split metadata tarball
    std::optional<SsItem> rootfs;      ///< split images only
};

/// LXD's architecture name for a simplestreams/Debian one (amd64 -> x86_64).
std::string lxd_architecture(std::string_view ss_arch);

/// The newest version of each product for the architecture, as images. Versions without a
/// usable container item (unified tarball, or metadata + root.tar.xz/squashfs) are skipped.
std::vector<RemoteImage> simplestreams_images(const std::vector<SsProduct>& products, const std::string& architecture);
/// By exact alias, else by full fingerprint or unique fingerprint prefix; nullptr when absent.
/// Throws InvalidArgument (key) when a prefix is ambiguous.
const RemoteImage* find_remote_image(const std::vector<RemoteImage>& images, std::string_view ref, const char* key);

}  // namespace li
