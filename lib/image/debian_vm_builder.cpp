#include "image/debian_vm_builder.hpp"

#include <algorithm>
#include <ctime>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/operations.hpp"
#include "core/reverter.hpp"
#include "image/busybox_builder.hpp"
#include "image/cpio_writer.hpp"
#include "image/debian_vm_scripts.hpp"
#include "image/metadata.hpp"
#include "image/tar_writer.hpp"
#include "libinstance/error.hpp"
#include "sys/file_lock.hpp"
#include "sys/fs.hpp"
#include "sys/sha256.hpp"
#include "sys/subprocess.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// Bumped whenever what the recipe produces changes in a way the cache key does not see.
constexpr int kRecipeVersion = 1;
constexpr size_t kMaxBinaryBytes = 256 << 20;

// The drivers the initrd needs to mount an ext4 root on virtio-blk (the Debian kernel builds
// them as modules), and those the running system needs for the agent's port, the network,
// shared folders and the ACPI power button. Dependencies are added from modules.dep.
const std::vector<std::string> kInitrdModules = {"virtio_pci", "virtio_blk", "crc32c_generic", "ext4"};
const std::vector<std::string> kOptionalModules = {"crc32c_intel"};  // needs SSE4.2, absent under TCG
const std::vector<std::string> kSystemModules = {"virtio_console", "virtio_net", "virtio_rng", "virtio_balloon", "9pnet_virtio",
                                                 "9p", "virtiofs", "button", "evdev"};

std::string dpkg_arch() {
    std::string arch = host_architecture();
    if (arch == "x86_64") return "amd64";
    if (arch == "aarch64") return "arm64";
    return arch;
}

std::vector<std::string> split_ws(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// "linux-image-6.1.0-57-amd64", the package linux-image-<arch> depends on.
std::string kernel_package(std::stop_token stop) {
    std::string meta = "linux-image-" + dpkg_arch();
    std::string out = run_checked({"apt-cache", "depends", meta}, "resolving the Debian kernel package", stop);
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        auto w = split_ws(line);
        if (w.size() == 2 && (w[0] == "Depends:" || w[0] == "|Depends:") && w[1].rfind("linux-image-", 0) == 0 && w[1] != meta)
            return w[1];
    }
    throw Error(ErrorCode::NotFound, fmt::format("apt-cache depends {} names no linux-image package", meta), "builder");
}

std::optional<fs::path> cached_deb(const fs::path& debs, const std::string& package) {
    std::error_code ec;
    std::vector<fs::path> found;
    if (!fs::is_directory(debs, ec)) return std::nullopt;
    for (const auto& e : fs::directory_iterator(debs, ec)) {
        std::string name = e.path().filename().string();
        if (e.path().extension() == ".deb" && name.rfind(package + "_", 0) == 0) found.push_back(e.path());
    }
    if (found.empty()) return std::nullopt;
    std::sort(found.begin(), found.end());
    return found.back();
}

// The kernel package's .deb, downloaded once into the cache (apt-get download, no root needed).
fs::path kernel_deb(const fs::path& cache_dir, OperationContext& ctx) {
    fs::path debs = cache_dir / "debian-vm-debs";
    std::string package;
    try {
        package = kernel_package(ctx.stop_token());
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Cancelled) throw;
        // Offline or no apt: a kernel downloaded before still builds.
        if (auto any = cached_deb(debs, "linux-image-")) return *any;
        throw Error(ErrorCode::NotFound, fmt::format("no Debian kernel package for the debian-vm image: {}", e.what()), "builder");
    }
    if (auto deb = cached_deb(debs, package)) return *deb;
    fs::create_directories(debs);
    fs::path tmp = debs / fmt::format(".download-{}", random_uuid());
    fs::create_directories(tmp);
    Reverter revert;
    revert.add([tmp] { remove_tree(tmp); });
    run_checked({"sh", "-c", "cd \"$1\" && exec apt-get download -q \"$2\"", "sh", tmp.string(), package},
                fmt::format("downloading {}", package), ctx.stop_token());
    for (const auto& e : fs::directory_iterator(tmp))
        if (e.path().extension() == ".deb") fs::rename(e.path(), debs / e.path().filename());
    if (auto deb = cached_deb(debs, package)) return *deb;
    throw Error(ErrorCode::Backend, fmt::format("apt-get download {} gave no .deb", package), "builder");
}

// modules.dep (made by busybox depmod on the unpacked package): each module with every module
// it needs.
class ModuleIndex {
public:
    explicit ModuleIndex(const fs::path& modules_dep) {
        std::istringstream in(read_file(modules_dep, 64 << 20));
        for (std::string line; std::getline(in, line);) {
            auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string path = line.substr(0, colon);
            deps_[path] = split_ws(line.substr(colon + 1));
            lines_[path] = line;
            by_name_[name_of(path)] = path;
        }
    }

    static std::string name_of(const std::string& path) {
        std::string name = fs::path(path).filename().string();
        name = name.substr(0, name.find(".ko"));
        std::replace(name.begin(), name.end(), '-', '_');
        return name;
    }

    bool has(const std::string& name) const { return by_name_.count(name) != 0; }

    /// name's module after all it needs (each once over the calls on out).
    void load_order(const std::string& name, std::vector<std::string>& out) const {
        auto it = by_name_.find(name);
        if (it == by_name_.end())
            throw Error(ErrorCode::NotFound, fmt::format("the kernel package has no module {}", name), "builder");
        add(it->second, out);
    }

    const std::string& dep_line(const std::string& path) const { return lines_.at(path); }

private:
    void add(const std::string& path, std::vector<std::string>& out) const {
        if (std::find(out.begin(), out.end(), path) != out.end()) return;
        if (auto it = deps_.find(path); it != deps_.end())
            for (const auto& d : it->second) add(d, out);
        out.push_back(path);
    }

    std::map<std::string, std::vector<std::string>> deps_;
    std::map<std::string, std::string> lines_;
    std::map<std::string, std::string> by_name_;
};

// "name path [optional]" lines the init scripts load in order.
std::string module_list(const std::vector<std::string>& paths, const std::set<std::string>& optional) {
    std::string out;
    for (const auto& p : paths) {
        std::string name = ModuleIndex::name_of(p);
        out += fmt::format("{} {}{}\n", name, p, optional.count(name) ? " optional" : "");
    }
    return out;
}

void write_in(const fs::path& root, const std::string& rel, std::string_view content, mode_t mode = 0644) {
    fs::create_directories((root / rel).parent_path());
    write_file_atomic(root / rel, content, static_cast<int>(mode));
    ::chmod((root / rel).c_str(), mode);  // write_file_atomic's mode passes through the umask
}

void symlink_in(const fs::path& root, const std::string& rel, const std::string& target) {
    fs::create_directories((root / rel).parent_path());
    std::error_code ec;
    fs::remove(root / rel, ec);
    fs::create_symlink(target, root / rel);
}

void copy_in(const fs::path& from, const fs::path& root, const std::string& rel) {
    fs::create_directories((root / rel).parent_path());
    fs::copy_file(from, root / rel, fs::copy_options::overwrite_existing);
}

// The host's resize2fs and the libraries ldd names, so the guest can grow its root file system
// (busybox has no resize2fs). Skipped (the guest then keeps its size) when unavailable.
std::vector<fs::path> resize2fs_files() {
    fs::path bin = "/sbin/resize2fs";
    std::error_code ec;
    if (!fs::is_regular_file(bin, ec)) return {};
    std::string out;
    try {
        out = run_checked({"ldd", bin.string()}, "listing resize2fs's libraries");
    } catch (const Error&) {
        return {};
    }
    std::vector<fs::path> files = {bin};
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        for (const auto& w : split_ws(line))
            if (!w.empty() && w[0] == '/') files.emplace_back(w);
    }
    return files;
}

std::string uuid_from(const std::string& hex) {
    return fmt::format("{}-{}-4{}-8{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(13, 3), hex.substr(17, 3), hex.substr(20, 12));
}

struct Inputs {
    std::string busybox_binary;
    fs::path busybox;
    std::vector<std::string> applets;
    fs::path deb;
    std::vector<fs::path> resize2fs;
    std::string key;  // hex sha256 of everything the image is made of
};

Inputs gather(const DebianVmBuildSpec& spec, const fs::path& cache_dir, OperationContext& ctx) {
    Inputs in;
    in.busybox = static_busybox(&in.busybox_binary);
    std::error_code ec;
    if (spec.agent.empty() || !fs::is_regular_file(spec.agent, ec))
        throw Error(ErrorCode::NotFound, fmt::format("the VM agent {} was not found", spec.agent.string()), "agent");
    std::istringstream applets(run_checked({in.busybox.string(), "--list-full"}, "listing busybox applets"));
    for (std::string a; std::getline(applets, a);)
        if (!a.empty()) in.applets.push_back(a);
    in.deb = kernel_deb(cache_dir, ctx);
    in.resize2fs = resize2fs_files();

    Sha256 sha;
    auto feed = [&](std::string_view s) {
        sha.update(s.data(), s.size());
        sha.update("\n", 1);
    };
    feed(fmt::format("recipe={} arch={} disk={} kernel={}", kRecipeVersion, dpkg_arch(), spec.disk_size, in.deb.filename().string()));
    feed(sha256_file(in.busybox));
    feed(sha256_file(spec.agent));
    for (const auto& f : in.resize2fs) feed(sha256_file(f));
    for (auto s : {debian_vm::kInitrdInit, debian_vm::kInittab, debian_vm::kRcS, debian_vm::kRcK, debian_vm::kPowerButton,
                   debian_vm::kStartAgent, debian_vm::kUdhcpcScript})
        feed(s);
    in.key = sha.hex_digest();
    return in;
}

// The kernel package unpacked (dpkg-deb -x needs no root) with modules.dep made for it.
std::string unpack_kernel(const fs::path& deb, const fs::path& busybox, const fs::path& dir, OperationContext& ctx) {
    run_checked({"dpkg-deb", "-x", deb.string(), dir.string()}, fmt::format("unpacking {}", deb.filename().string()),
                ctx.stop_token());
    std::vector<std::string> versions;
    for (const auto& e : fs::directory_iterator(dir / "lib/modules")) versions.push_back(e.path().filename().string());
    if (versions.size() != 1 || !fs::is_regular_file(dir / "boot" / ("vmlinuz-" + versions[0])))
        throw Error(ErrorCode::Backend, fmt::format("{} has no single kernel (found {})", deb.string(), fmt::join(versions, ", ")),
                    "builder");
    run_checked({busybox.string(), "depmod", "-b", dir.string(), versions[0]}, "listing the kernel's module dependencies",
                ctx.stop_token());
    return versions[0];
}

std::string build_initrd(const Inputs& in, const fs::path& kernel, const std::string& kver,
                         const std::vector<std::string>& modules, time_t mtime) {
    CpioWriter cpio(mtime);
    for (const char* d : {"bin", "dev", "etc", "lib", "proc", "sys", "newroot"}) cpio.dir(d);
    cpio.char_device("dev/console", 5, 1);
    cpio.file("bin/busybox", in.busybox_binary, 0755);
    for (const auto& a : in.applets) {
        std::string name = fs::path(a).filename().string();
        if (name != "busybox") cpio.symlink("bin/" + name, "busybox");
    }
    cpio.file("init", debian_vm::kInitrdInit, 0755);
    std::set<std::string> optional(kOptionalModules.begin(), kOptionalModules.end());
    cpio.file("etc/modules", module_list(modules, optional));
    std::set<std::string> dirs;
    std::string base = "lib/modules/" + kver;
    for (const auto& m : modules) {
        std::vector<std::string> parents;
        for (fs::path p = fs::path(base) / fs::path(m).parent_path(); !p.empty() && p != "lib"; p = p.parent_path())
            parents.push_back(p.string());
        for (auto it = parents.rbegin(); it != parents.rend(); ++it)
            if (dirs.insert(*it).second) cpio.dir(*it);
        cpio.file(base + "/" + m, read_file(kernel / base / m, 64 << 20));
    }
    return cpio.finish();
}

void build_rootfs(const Inputs& in, const DebianVmBuildSpec& spec, const fs::path& kernel, const std::string& kver,
                  const std::vector<std::string>& modules, const ModuleIndex& index, const fs::path& root) {
    for (const char* d : {"bin", "sbin", "usr/bin", "usr/sbin", "etc/init.d", "etc/libinstance", "dev", "proc", "sys", "run",
                          "var/log", "home", "mnt", "lib", "opt/libinstance", "usr/share/udhcpc"})
        fs::create_directories(root / d);
    fs::create_directories(root / "root");
    ::chmod((root / "root").c_str(), 0700);
    fs::create_directories(root / "tmp");
    ::chmod((root / "tmp").c_str(), 01777);
    symlink_in(root, "var/run", "/run");
    ::mknod((root / "dev/console").c_str(), S_IFCHR | 0600, makedev(5, 1));  // only as root; devtmpfs has it anyway

    write_in(root, "bin/busybox", in.busybox_binary, 0755);
    std::set<std::string> top = {"bin", "sbin", "usr/bin", "usr/sbin"};
    for (const auto& a : in.applets) {
        if (a == "bin/busybox" || !top.count(fs::path(a).parent_path().string())) continue;
        symlink_in(root, a, "/bin/busybox");
    }
    for (const auto& f : in.resize2fs) copy_in(f, root, f == "/sbin/resize2fs" ? "sbin/resize2fs" : f.relative_path().string());

    std::string base = "lib/modules/" + kver;
    std::string dep;
    for (const auto& m : modules) {
        copy_in(kernel / base / m, root, base + "/" + m);
        dep += index.dep_line(m) + "\n";
    }
    write_in(root, base + "/modules.dep", dep);  // busybox modprobe works in the guest too
    for (const char* f : {"modules.builtin", "modules.order"})
        if (fs::exists(kernel / base / f)) copy_in(kernel / base / f, root, base + "/" + f);
    std::vector<std::string> system;
    for (const auto& m : kSystemModules) index.load_order(m, system);
    write_in(root, "etc/libinstance/modules", module_list(system, {}));

    write_in(root, "etc/inittab", debian_vm::kInittab);
    write_in(root, "etc/init.d/rcS", debian_vm::kRcS, 0755);
    write_in(root, "etc/init.d/rcK", debian_vm::kRcK, 0755);
    write_in(root, "etc/acpi/PWRF/00000080", debian_vm::kPowerButton, 0755);
    write_in(root, "etc/acpi/PWRB/00000080", debian_vm::kPowerButton, 0755);
    write_in(root, "usr/share/udhcpc/default.script", debian_vm::kUdhcpcScript, 0755);
    write_in(root, "opt/libinstance/start-agent", debian_vm::kStartAgent, 0755);
    copy_in(spec.agent, root, "opt/libinstance/vm-agent");
    ::chmod((root / "opt/libinstance/vm-agent").c_str(), 0755);
    write_in(root, "etc/hostname", "debian\n");
    write_in(root, "etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    write_in(root, "etc/resolv.conf", "");
    write_in(root, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
    write_in(root, "etc/group", "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n");
    write_in(root, "etc/shadow", "root::1::::::\n", 0600);
    write_in(root, "etc/profile", "export PATH=/sbin:/bin:/usr/sbin:/usr/bin\nexport PS1='\\h:\\w\\$ '\n");
    write_in(root, "etc/fstab", "/dev/vda / ext4 rw 0 1\n");
}

}  // namespace

std::string host_debian_release() {
    try {
        std::istringstream in(read_file("/etc/os-release", 1 << 16));
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("VERSION_CODENAME=", 0) != 0) continue;
            std::string v = line.substr(17);
            v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
            if (!v.empty()) return v;
        }
    } catch (const Error&) {
    }
    return "bookworm";
}

DebianVmImage build_debian_vm_image(const DebianVmBuildSpec& spec, const fs::path& cache_dir, OperationContext& ctx,
                                    const std::string& key) {
    ctx.progress(key, "Kernel", 0);
    // One build at a time per cache: concurrent builds (threads or processes) would download the
    // kernel package side by side and each make an image of its own fingerprint; the one that
    // waits finds the finished entry instead.
    fs::create_directories(cache_dir);
    FileLock lock(cache_dir / "debian-vm.lock", [&] { ctx.check_cancelled(); });
    Inputs in = gather(spec, cache_dir, ctx);
    std::string release = host_debian_release();
    std::string stem = fmt::format("debian-vm-{}-{}-{}", release, dpkg_arch(), in.key.substr(0, 16));
    DebianVmImage cached{cache_dir / (stem + ".meta.tar.gz"), cache_dir / (stem + ".qcow2")};
    std::error_code ec;
    if (fs::is_regular_file(cached.metadata, ec) && fs::is_regular_file(cached.disk, ec)) {
        ctx.progress(key, "Cached", 90);
        return cached;
    }
    ctx.progress(key, "Kernel", 10);
    fs::path work = cache_dir / fmt::format(".build-vm-{}", random_uuid());
    fs::create_directories(work);
    Reverter revert;
    revert.add([work] {
        try {
            remove_tree(work);
        } catch (const Error&) {
        }
    });
    fs::path kernel = work / "kernel";
    std::string kver = unpack_kernel(in.deb, in.busybox, kernel, ctx);
    ModuleIndex index(kernel / "lib/modules" / kver / "modules.dep");
    std::vector<std::string> initrd_modules;
    for (const auto& m : kInitrdModules) index.load_order(m, initrd_modules);
    for (const auto& m : kOptionalModules)
        if (index.has(m)) index.load_order(m, initrd_modules);
    std::vector<std::string> all_modules = initrd_modules;
    for (const auto& m : kSystemModules) index.load_order(m, all_modules);
    ctx.progress(key, "Initrd", 30);
    ctx.check_cancelled();

    const time_t now = ::time(nullptr);
    write_file_atomic(work / "initrd.cpio", build_initrd(in, kernel, kver, initrd_modules, now));
    run_checked({"gzip", "-n", "-9", (work / "initrd.cpio").string()}, "compressing the initrd", ctx.stop_token());
    ctx.progress(key, "Root file system", 40);

    fs::path root = work / "rootfs";
    build_rootfs(in, spec, kernel, kver, all_modules, index, root);
    ctx.check_cancelled();
    fs::path raw = work / "root.img";
    std::string uuid = uuid_from(in.key);
    run_checked({"mkfs.ext4", "-q", "-F", "-L", "rootfs", "-U", uuid, "-E", "hash_seed=" + uuid, "-d", root.string(), raw.string(),
                 fmt::format("{}k", spec.disk_size / 1024)},
                "making the root file system (mkfs.ext4 -d, package e2fsprogs)", ctx.stop_token());
    ctx.progress(key, "Disk", 60);
    fs::path qcow2 = work / "disk.qcow2";
    run_checked({"qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", raw.string(), qcow2.string()},
                "writing the qcow2 disk (qemu-img, package qemu-utils)", ctx.stop_token());
    ctx.progress(key, "Metadata", 80);

    ImageMetadata md;
    md.architecture = host_architecture();
    md.creation_date = now;
    md.properties = {{"os", "Debian"},
                     {"release", release},
                     {"architecture", dpkg_arch()},
                     {"variant", "vm-busybox"},
                     {"kernel", kver},
                     {"description", fmt::format("Debian {} {} VM (kernel {}, busybox)", release, dpkg_arch(), kver)}};
    md.templates["/etc/hostname"] = ImageTemplate{{"create", "copy"}, "hostname.tpl", false, {}};
    md.templates["/etc/hosts"] = ImageTemplate{{"create", "copy"}, "hosts.tpl", false, {}};
    fs::path meta = work / "meta.tar.gz";
    TarWriter tar(meta, now);
    tar.file("metadata.yaml", render_image_metadata(md));
    tar.dir("templates");
    tar.file("templates/hostname.tpl", "{{ container.name }}\n");
    tar.file("templates/hosts.tpl", "127.0.0.1\tlocalhost\n127.0.1.1\t{{ container.name }}\n"
                                    "::1\tlocalhost ip6-localhost ip6-loopback\n");
    tar.dir("boot");
    tar.file("boot/vmlinuz", read_file(kernel / "boot" / ("vmlinuz-" + kver), kMaxBinaryBytes));
    tar.file("boot/initrd.img", read_file(work / "initrd.cpio.gz", kMaxBinaryBytes));
    tar.close();

    // The disk first: the metadata file's presence marks a complete cache entry.
    fs::rename(qcow2, cached.disk);
    fs::rename(meta, cached.metadata);
    ctx.progress(key, "Metadata", 90);
    return cached;
}

}  // namespace li
