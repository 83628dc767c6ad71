#include "remote/simplestreams.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li {

namespace {

std::vector<std::string> split_aliases(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        if (comma == std::string::npos) comma = s.size();
        std::string a = s.substr(start, comma - start);
        a.erase(0, a.find_first_not_of(' '));
        a.erase(a.find_last_not_of(' ') + 1);
        if (!a.empty()) out.push_back(a);
        start = comma + 1;
    }
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// "20240101_12:00" (the convention of image servers) as RFC 3339; empty when it is not one.
std::string version_time(const std::string& v) {
    if (v.size() < 14 || v[8] != '_' || v[11] != ':') return {};
    for (size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 13})
        if (!std::isdigit(static_cast<unsigned char>(v[i]))) return {};
    return fmt::format("{}-{}-{}T{}:{}:00Z", v.substr(0, 4), v.substr(4, 2), v.substr(6, 2), v.substr(9, 2), v.substr(12, 2));
}

const SsItem* find_item(const SsVersion& v, std::string_view ftype) {
    for (const auto& i : v.items)
        if (i.ftype == ftype && !i.path.empty() && !i.sha256.empty()) return &i;
    return nullptr;
}

// The container image a version offers: a unified tarball, else metadata with root.tar.xz or
// squashfs (whose fingerprint the metadata item carries as combined_*_sha256).
std::optional<RemoteImage> image_of(const SsProduct& p, const SsVersion& v) {
    RemoteImage r;
    if (const SsItem* unified = find_item(v, "lxd_combined.tar.gz")) {
        r.metadata = *unified;
        r.image.fingerprint = unified->sha256;
        r.image.size = unified->size;
        r.image.properties["type"] = "tar.gz";
    } else if (const SsItem* meta = find_item(v, "lxd.tar.xz")) {
        const SsItem* root = find_item(v, "root.tar.xz");
        std::string fp = !meta->combined_rootxz_sha256.empty() ? meta->combined_rootxz_sha256 : meta->combined_sha256;
        std::string type = "tar.xz";
        if (!root || fp.empty()) {
            root = find_item(v, "squashfs");
            fp = meta->combined_squashfs_sha256;
            type = "squashfs";
        }
        if (!root || fp.empty()) return std::nullopt;
        r.metadata = *meta;
        r.rootfs = *root;
        r.image.fingerprint = fp;
        r.image.size = meta->size + root->size;
        r.image.properties["type"] = type;
    } else {
        return std::nullopt;
    }
    r.image.fingerprint = lower(r.image.fingerprint);
    r.image.architecture = lxd_architecture(p.arch);
    r.image.type = "container";
    r.image.public_ = true;
    r.image.filename = r.metadata.path.substr(r.metadata.path.rfind('/') + 1);
    r.image.created_at = version_time(v.name);
    r.image.uploaded_at = r.image.created_at;
    r.image.project = "";
    auto& props = r.image.properties;
    if (!p.os.empty()) props["os"] = p.os;
    if (!p.release.empty()) props["release"] = p.release;
    if (!p.variant.empty()) props["variant"] = p.variant;
    props["architecture"] = p.arch;
    props["serial"] = v.name;
    std::string title = p.release_title.empty() ? p.release : p.release_title;
    props["description"] = fmt::format("{} {} {} ({})", p.os, title, p.arch, v.name);

    // Aliases as LXD derives them: the product's own, each also with the architecture appended.
    r.aliases = split_aliases(p.aliases);
    std::vector<std::string> names = r.aliases;
    // ... and os/release[/variant], which images.linuxcontainers.org also answers to.
    if (!p.os.empty() && !p.release.empty()) {
        std::string base = lower(fmt::format("{}/{}", p.os, p.release));
        names.push_back(base);
        if (!p.variant.empty()) names.push_back(fmt::format("{}/{}", base, lower(p.variant)));
    }
    size_t own = names.size();
    for (size_t i = 0; i < own; ++i) names.push_back(fmt::format("{}/{}", names[i], p.arch));
    for (const auto& n : names)
        if (std::none_of(r.image.aliases.begin(), r.image.aliases.end(), [&](const auto& x) { return x.name == n; }))
            r.image.aliases.push_back({n, ""});
    return r;
}

}  // namespace

std::string lxd_architecture(std::string_view a) {
    static const std::pair<std::string_view, std::string_view> map[] = {
        {"amd64", "x86_64"}, {"arm64", "aarch64"}, {"armhf", "armv7l"}, {"armel", "armv6l"},
        {"i386", "i686"},    {"ppc64el", "ppc64le"}, {"s390x", "s390x"}, {"riscv64", "riscv64"},
    };
    for (const auto& [ss, lxd] : map)
        if (a == ss) return std::string(lxd);
    return std::string(a);
}

std::vector<RemoteImage> simplestreams_images(const std::vector<SsProduct>& products, const std::string& architecture) {
    std::vector<RemoteImage> out;
    for (const auto& p : products) {
        if (lxd_architecture(p.arch) != architecture) continue;
        std::vector<const SsVersion*> versions;
        for (const auto& v : p.versions) versions.push_back(&v);
        std::sort(versions.begin(), versions.end(), [](auto* a, auto* b) { return a->name > b->name; });
        for (const SsVersion* v : versions) {
            if (auto img = image_of(p, *v)) {
                out.push_back(std::move(*img));
                break;  // newest usable version wins
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.image.fingerprint < b.image.fingerprint; });
    return out;
}

const RemoteImage* find_remote_image(const std::vector<RemoteImage>& images, std::string_view ref, const char* key) {
    if (ref.empty()) return nullptr;
    for (const auto& r : images)
        for (const auto& a : r.image.aliases)
            if (a.name == ref) return &r;
    const RemoteImage* found = nullptr;
    std::string prefix = lower(std::string(ref));
    for (const auto& r : images) {
        if (!r.image.fingerprint.starts_with(prefix)) continue;
        if (found && found->image.fingerprint != r.image.fingerprint)
            throw Error::invalid(key, fmt::format("image fingerprint prefix \"{}\" is ambiguous", ref));
        found = &r;
    }
    return found;
}

}  // namespace li
