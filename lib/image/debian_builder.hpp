#pragma once
// The `debian` image builder: debootstrap from a Debian mirror, made LXD-like (metadata.yaml with
// properties, hostname/hosts templates, systemd-networkd DHCP on eth0, empty machine-id), packed
// as a unified tarball and kept in a cache keyed by every option that changes the result.

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/operation_state.hpp"

namespace li {

/// What the debian builder is asked for.
struct DebianBuildSpec {
    std::string release = "bookworm";
    std::string variant = "minbase";
    std::string mirror;                 ///< empty: host_debian_mirror()
    std::vector<std::string> packages;
    std::string init = "systemd-sysv";
};

/// Maps debootstrap's "I: ..." lines to a phase label and one monotonic percentage (0-85; the
/// packing that follows takes the rest): retrieving/validating, extracting, unpacking, configuring.
class DebootstrapProgress {
public:
    std::pair<std::string, int> feed(const std::string& line);

private:
    void step(const char* label, int from, int to, int expected, bool count);
    void set(const char* label, int pct);
    std::string label_ = "Retrieving";
    int percent_ = 0;
    int n_ = 0;
};

/// Checks every field; InvalidArgument naming the field ("release", "variant", "mirror",
/// "packages", "init") and the bad value.
void validate_debian_spec(const DebianBuildSpec& spec);

/// The first Debian mirror in the host's /etc/apt/sources.list(.d) (one-line or deb822 form),
/// else http://deb.debian.org/debian. `apt_dir` is for tests.
std::string host_debian_mirror(const std::filesystem::path& apt_dir = "/etc/apt");

/// The cache file a spec (with its mirror filled in) maps to under cache_dir.
std::filesystem::path debian_cache_file(const DebianBuildSpec& spec, const std::filesystem::path& cache_dir);

/// Returns the cached unified tarball for spec, building it first (debootstrap, minutes) when the
/// cache has none. Progress under key: debootstrap's phases (retrieving, extracting, unpacking,
/// configuring), then packing; monotonic. A cancellation kills debootstrap and removes its tree.
std::filesystem::path build_debian_image(DebianBuildSpec spec, const std::filesystem::path& cache_dir, OperationContext& ctx,
                                         const std::string& key);

}  // namespace li

namespace li {

class ManagerCore;
struct ImageBuildOptions;
struct ImageFiles;

/// The debian spec of build options; InvalidArgument as validate_debian_spec().
DebianBuildSpec debian_spec_of(const ImageBuildOptions& opts);
/// Where built images are cached: opts.cache_dir, else $LIBINSTANCE_CACHE_DIR, else <state>/cache.
std::filesystem::path image_cache_dir(const ManagerCore& core, const ImageBuildOptions& opts);
/// Builds (or takes from the cache) the debian image of opts and adds it to the project's store
/// under progress key "image_build_progress"; an image already present only gets the alias.
/// Sets ctx metadata "fingerprint".
void add_debian_image(const std::shared_ptr<ManagerCore>& core, const std::string& project, const ImageBuildOptions& opts,
                      OperationContext& ctx);
}  // namespace li
