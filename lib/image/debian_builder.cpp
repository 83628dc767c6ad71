#include "image/debian_builder.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <deque>
#include <fmt/format.h>
#include <fstream>
#include <poll.h>
#include <regex>
#include <sstream>
#include <sys/mount.h>
#include <unistd.h>

#include "core/operations.hpp"
#include "core/reverter.hpp"
#include "image/metadata.hpp"
#include "image/tar_pack.hpp"
#include "libinstance/error.hpp"
#include "sys/file_lock.hpp"
#include "sys/fs.hpp"
#include "sys/sha256.hpp"
#include "sys/subprocess.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// Bumped whenever the customisation below changes, so older cached images are not reused.
constexpr int kRecipeVersion = 2;  // 2: udev with systemd-sysv

bool is_package_name(const std::string& s) {
    static const std::regex re("[a-z0-9][a-z0-9+.-]+");
    return std::regex_match(s, re);
}

std::vector<std::string> split_ws(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

bool is_security(const std::string& uri, const std::vector<std::string>& suites) {
    if (uri.find("security") != std::string::npos) return true;
    return !suites.empty() && std::all_of(suites.begin(), suites.end(), [](const std::string& s) {
        return s.find("-security") != std::string::npos;
    });
}

std::string mirror_from_one_line(const std::string& text) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto w = split_ws(line.substr(0, line.find('#')));
        if (w.size() < 3 || w[0] != "deb") continue;
        size_t i = 1;
        if (w[i].front() == '[') {
            while (i < w.size() && w[i].back() != ']') i++;
            i++;
        }
        if (i + 1 >= w.size()) continue;
        if (!is_security(w[i], {w[i + 1]})) return w[i];
    }
    return {};
}

std::string mirror_from_deb822(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> types, uris, suites;
    auto pick = [&]() -> std::string {
        bool deb = std::find(types.begin(), types.end(), "deb") != types.end();
        std::string found;
        if (deb && !uris.empty() && !is_security(uris[0], suites)) found = uris[0];
        types.clear(), uris.clear(), suites.clear();
        return found;
    };
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.find_first_not_of(" \t") == std::string::npos) {
            if (auto m = pick(); !m.empty()) return m;
            continue;
        }
        if (line[0] == '#') continue;
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string field = line.substr(0, colon);
        auto values = split_ws(line.substr(colon + 1));
        if (field == "Types") types = values;
        else if (field == "URIs") uris = values;
        else if (field == "Suites") suites = values;
    }
    return pick();
}

std::string dpkg_architecture() {
    std::string arch = host_architecture();
    if (arch == "x86_64") return "amd64";
    if (arch == "aarch64") return "arm64";
    if (arch == "armv7l") return "armhf";
    if (arch == "i686") return "i386";
    return arch;
}

// Unmounts what debootstrap mounted inside the tree (proc, sys) when it was killed.
void unmount_below(const fs::path& tree) {
    std::ifstream in("/proc/self/mounts");
    std::vector<std::string> targets;
    const std::string prefix = tree.string() + "/";
    for (std::string line; std::getline(in, line);) {
        auto w = split_ws(line);
        if (w.size() >= 2 && w[1].rfind(prefix, 0) == 0) targets.push_back(w[1]);
    }
    std::sort(targets.begin(), targets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& t : targets) ::umount2(t.c_str(), MNT_DETACH);
}

void remove_build_dir(const fs::path& dir) {
    unmount_below(dir);
    try {
        remove_tree(dir);
    } catch (const Error&) {
    }
}

void run_debootstrap(const std::vector<std::string>& argv, const fs::path& tree, OperationContext& ctx, const std::string& key) {
    Pipe out = make_pipe();
    SpawnSpec spec;
    spec.argv = argv;
    spec.fds = {-1, out.write.get(), out.write.get()};
    spec.new_session = true;
    Child child = spawn(spec);
    out.write.reset();
    DebootstrapProgress phases;
    std::deque<std::string> tail;
    std::string pending;
    bool killed = false;
    for (;;) {
        if (!killed && ctx.cancelled()) {
            // debootstrap runs wget, dpkg and chroot in its session: end them all.
            ::kill(-child.pid(), SIGKILL);
            killed = true;
        }
        pollfd p{out.read.get(), POLLIN, 0};
        int r = ::poll(&p, 1, 200);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) continue;
        char buf[4096];
        ssize_t n = ::read(out.read.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buf, static_cast<size_t>(n));
        for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
            std::string line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            auto [label, pct] = phases.feed(line);
            ctx.progress(key, label, pct);
            tail.push_back(line);
            if (tail.size() > 8) tail.pop_front();
        }
    }
    int status = child.wait();
    if (killed) {
        remove_build_dir(tree.parent_path());
        throw Error(ErrorCode::Cancelled, "building the debian image was cancelled");
    }
    if (exit_code_from_status(status) != 0) {
        std::string details;
        for (const auto& l : tail) details += (details.empty() ? "" : "; ") + l;
        try {
            std::string log = read_file(tree / "debootstrap" / "debootstrap.log", 64 << 20);
            details += "; log ends: " + log.substr(log.size() > 600 ? log.size() - 600 : 0);
        } catch (const Error&) {
        }
        throw Error(ErrorCode::Backend, fmt::format("debootstrap failed (exit {}): {}", exit_code_from_status(status), details));
    }
}

void write_in_tree(const fs::path& root, const std::string& rel, std::string_view content, int mode = 0644) {
    fs::create_directories((root / rel).parent_path());
    write_file_atomic(root / rel, content, mode);
}

void symlink_in_tree(const fs::path& root, const std::string& rel, const std::string& target) {
    fs::create_directories((root / rel).parent_path());
    std::error_code ec;
    fs::remove(root / rel, ec);
    fs::create_symlink(target, root / rel);
}

void clear_dir(const fs::path& dir, const std::vector<std::string>& keep) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (std::find(keep.begin(), keep.end(), e.path().filename().string()) != keep.end()) continue;
        if (e.is_directory() && !e.is_symlink()) clear_dir(e.path(), {});
        else fs::remove(e.path(), ec);
    }
}

// What makes a debootstrapped tree behave like an LXD image in a container.
void customise(const fs::path& root) {
    write_in_tree(root, "etc/hostname", "debian\n");
    write_in_tree(root, "etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    write_in_tree(root, "etc/systemd/network/eth0.network",
                  "[Match]\nName=eth0\n\n[Network]\nDHCP=true\n\n[DHCPv4]\nUseDomains=true\n");
    if (fs::exists(root / "lib/systemd/system/systemd-networkd.service")) {
        symlink_in_tree(root, "etc/systemd/system/multi-user.target.wants/systemd-networkd.service",
                        "/lib/systemd/system/systemd-networkd.service");
        symlink_in_tree(root, "etc/systemd/system/sockets.target.wants/systemd-networkd.socket",
                        "/lib/systemd/system/systemd-networkd.socket");
        symlink_in_tree(root, "etc/systemd/system/dbus-org.freedesktop.network1.service",
                        "/lib/systemd/system/systemd-networkd.service");
    }
    // Each instance gets its own machine id at first boot.
    write_in_tree(root, "etc/machine-id", "", 0444);
    std::error_code ec;
    if (fs::is_regular_file(root / "var/lib/dbus/machine-id", ec)) fs::remove(root / "var/lib/dbus/machine-id", ec);
    clear_dir(root / "var/cache/apt", {"archives"});
    clear_dir(root / "var/cache/apt/archives", {"partial", "lock"});
    clear_dir(root / "var/lib/apt/lists", {"partial", "lock"});
    clear_dir(root / "var/log", {});
}

std::string metadata_yaml(const DebianBuildSpec& spec) {
    ImageMetadata md;
    md.architecture = host_architecture();
    md.creation_date = ::time(nullptr);
    std::string arch = dpkg_architecture();
    md.properties = {{"os", "debian"},
                     {"release", spec.release},
                     {"architecture", arch},
                     {"variant", spec.variant},
                     {"description", fmt::format("Debian {} {} ({})", spec.release, arch, spec.variant)}};
    md.templates["/etc/hostname"] = ImageTemplate{{"create", "copy"}, "hostname.tpl", false, {}};
    md.templates["/etc/hosts"] = ImageTemplate{{"create", "copy"}, "hosts.tpl", false, {}};
    return render_image_metadata(md);
}

}  // namespace

std::pair<std::string, int> DebootstrapProgress::feed(const std::string& line) {
    auto starts = [&](const char* p) { return line.rfind(p, 0) == 0; };
    if (starts("I: Retrieving") || starts("I: Validating")) step("Retrieving", 2, 35, 130, starts("I: Retrieving"));
    else if (starts("I: Extracting")) step("Extracting", 35, 45, 60, true);
    else if (starts("I: Unpacking")) step("Unpacking", 45, 65, 130, true);
    else if (starts("I: Configuring") || starts("I: Installing")) step("Configuring", 65, 85, 130, true);
    else if (starts("I: Base system installed")) set("Configuring", 85);
    return {label_, percent_};
}

void DebootstrapProgress::step(const char* label, int from, int to, int expected, bool count) {
    if (label_ != label) {
        label_ = label;
        n_ = 0;
    }
    if (count) n_++;
    set(label, from + (to - from) * std::min(n_, expected) / expected);
}

void DebootstrapProgress::set(const char* label, int pct) {
    label_ = label;
    percent_ = std::max(percent_, pct);
}

void validate_debian_spec(const DebianBuildSpec& spec) {
    static const std::regex release_re("[a-z][a-z0-9.-]*");
    if (!std::regex_match(spec.release, release_re))
        throw Error::invalid("release", fmt::format("invalid Debian release \"{}\"", spec.release));
    if (spec.variant != "minbase" && spec.variant != "buildd" && spec.variant != "default")
        throw Error::invalid("variant", fmt::format("unknown variant \"{}\" (use minbase, buildd or default)", spec.variant));
    if (!spec.mirror.empty()) {
        static const std::regex mirror_re("(https?|file)://[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+");
        if (!std::regex_match(spec.mirror, mirror_re))
            throw Error::invalid("mirror", fmt::format("invalid mirror URL \"{}\" (http://, https:// or file://)", spec.mirror));
    }
    for (const auto& p : spec.packages)
        if (!is_package_name(p)) throw Error::invalid("packages", fmt::format("invalid package name \"{}\"", p));
    if (!is_package_name(spec.init)) throw Error::invalid("init", fmt::format("invalid init package \"{}\"", spec.init));
}

std::string host_debian_mirror(const fs::path& apt_dir) {
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_regular_file(apt_dir / "sources.list", ec)) files.push_back(apt_dir / "sources.list");
    std::vector<fs::path> parts;
    if (fs::is_directory(apt_dir / "sources.list.d", ec))
        for (const auto& e : fs::directory_iterator(apt_dir / "sources.list.d", ec)) parts.push_back(e.path());
    std::sort(parts.begin(), parts.end());
    files.insert(files.end(), parts.begin(), parts.end());
    for (const auto& f : files) {
        std::string text;
        try {
            text = read_file(f, 1 << 20);
        } catch (const Error&) {
            continue;
        }
        std::string m;
        if (f.extension() == ".list") m = mirror_from_one_line(text);
        else if (f.extension() == ".sources") m = mirror_from_deb822(text);
        if (!m.empty() && m.find("debian") != std::string::npos) return m;
    }
    return "http://deb.debian.org/debian";
}

fs::path debian_cache_file(const DebianBuildSpec& spec, const fs::path& cache_dir) {
    auto packages = spec.packages;
    std::sort(packages.begin(), packages.end());
    packages.erase(std::unique(packages.begin(), packages.end()), packages.end());
    std::string key = fmt::format("recipe={}\nrelease={}\nvariant={}\nmirror={}\ninit={}\narch={}\npackages={}\n", kRecipeVersion,
                                  spec.release, spec.variant, spec.mirror, spec.init, dpkg_architecture(), fmt::join(packages, ","));
    Sha256 sha;
    sha.update(key.data(), key.size());
    return cache_dir / fmt::format("debian-{}-{}-{}-{}.tar.gz", spec.release, spec.variant, dpkg_architecture(),
                                   sha.hex_digest().substr(0, 16));
}

fs::path build_debian_image(DebianBuildSpec spec, const fs::path& cache_dir, OperationContext& ctx, const std::string& key) {
    if (spec.mirror.empty()) spec.mirror = host_debian_mirror();
    validate_debian_spec(spec);
    fs::path cached = debian_cache_file(spec, cache_dir);
    std::error_code ec;
    if (fs::is_regular_file(cached, ec)) {
        ctx.progress(key, "Cached", 90);
        return cached;
    }
    fs::create_directories(cache_dir);
    // One build per cache entry: a concurrent build of the same spec (thread or process) waits,
    // then finds the entry, instead of making a second image with another fingerprint. (The check
    // above, without the lock, keeps a cached build working on a read-only cache.)
    fs::path lock_path = cached;
    lock_path += ".lock";
    FileLock lock(lock_path, [&] { ctx.check_cancelled(); });
    if (fs::is_regular_file(cached, ec)) {
        ctx.progress(key, "Cached", 90);
        return cached;
    }
    fs::path work = cache_dir / fmt::format(".build-{}", random_uuid());
    fs::path tree = work / "rootfs";
    fs::create_directories(work);
    Reverter revert;
    revert.add([work] { remove_build_dir(work); });

    std::vector<std::string> include = {spec.init};
    // systemd-networkd (our DHCP on eth0) waits for udev to initialise each link while /sys is
    // writable, as it is in an unprivileged container; without udev eth0 never gets an IPv4 lease.
    if (spec.init == "systemd-sysv") include.push_back("udev");
    include.insert(include.end(), spec.packages.begin(), spec.packages.end());
    fs::path debs = cache_dir / "debootstrap-debs";
    fs::create_directories(debs);
    std::vector<std::string> argv = {"debootstrap"};
    if (spec.variant != "default") argv.push_back("--variant=" + spec.variant);
    argv.push_back(fmt::format("--include={}", fmt::join(include, ",")));
    // Downloaded packages are kept so builds with other options do not fetch them again.
    argv.push_back("--cache-dir=" + fs::absolute(debs).string());
    argv.insert(argv.end(), {spec.release, tree.string(), spec.mirror});
    ctx.progress(key, "Retrieving", 0);
    try {
        run_debootstrap(argv, tree, ctx, key);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound || std::string(e.what()).find("No such file") != std::string::npos)
            throw Error(ErrorCode::NotFound, "debootstrap is not installed (Debian package debootstrap)", "builder");
        throw;
    }
    ctx.check_cancelled();
    unmount_below(tree);
    customise(tree);

    fs::path tpl = work / "templates";
    fs::create_directories(tpl);
    write_file_atomic(tpl / "hostname.tpl", "{{ container.name }}\n");
    write_file_atomic(tpl / "hosts.tpl", "127.0.0.1\tlocalhost\n127.0.1.1\t{{ container.name }}\n"
                                         "::1\tlocalhost ip6-localhost ip6-loopback\n");
    const double total = static_cast<double>(std::max<uint64_t>(tree_data_bytes(tree), 1));
    fs::path tmp_tar = work / "image.tar.gz";
    pack_unified_tarball(PackInput{metadata_yaml(spec), tpl, tree}, tmp_tar, "gzip", [&](uint64_t done) {
        ctx.check_cancelled();
        ctx.progress(key, "Packing", 85 + static_cast<int>(5.0 * std::min(1.0, static_cast<double>(done) / total)));
    });
    fs::rename(tmp_tar, cached);
    return cached;  // the reverter removes the build tree
}

}  // namespace li
