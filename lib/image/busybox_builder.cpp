#include "image/busybox_builder.hpp"
#include <cstdlib>
#include <elf.h>
#include <fmt/format.h>
#include <set>
#include <sstream>
#include <sys/stat.h>

#include "image/metadata.hpp"
#include "image/tar_writer.hpp"
#include "libinstance/error.hpp"
#include "sys/fs.hpp"
#include "sys/subprocess.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxBusyboxBytes = 64 << 20;

fs::path find_busybox() {
    if (const char* env = std::getenv("LIBINSTANCE_BUSYBOX"); env && *env) return env;
    for (const char* candidate : {"/bin/busybox", "/usr/bin/busybox"}) {
        if (fs::exists(candidate)) return candidate;
    }
    throw Error(ErrorCode::NotFound, "no busybox binary found (install the busybox-static package or set LIBINSTANCE_BUSYBOX)",
                "busybox");
}

// A dynamically linked busybox would not run inside an image without its libraries.
void require_static(const fs::path& path, const std::string& elf) {
    if (elf.size() < sizeof(Elf64_Ehdr) || elf.compare(0, 4, ELFMAG) != 0)
        throw Error::invalid(path.string(), fmt::format("{} is not an ELF executable", path.string()));
    const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(elf.data());
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phoff + uint64_t(eh->e_phnum) * sizeof(Elf64_Phdr) > elf.size())
        return;  // cannot check; running it decides
    const auto* ph = reinterpret_cast<const Elf64_Phdr*>(elf.data() + eh->e_phoff);
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP)
            throw Error::invalid(path.string(), fmt::format("{} is dynamically linked; a static busybox is needed "
                                                            "(Debian package busybox-static)", path.string()));
    }
}

std::string busybox_version(const fs::path& busybox) {
    // "BusyBox v1.35.0 (Debian 1:1.35.0-4+b3) multi-call binary."
    std::string out;
    try {
        out = run_checked({busybox.string(), "--help"}, "asking busybox its version");
    } catch (const Error&) {
        return "unknown";
    }
    auto v = out.find(" v");
    if (v == std::string::npos) return "unknown";
    auto end = out.find_first_of(" \n", v + 2);
    return out.substr(v + 2, end - v - 2);
}

constexpr std::string_view kInittab =
    "::sysinit:/etc/init.d/rcS\n"
    // A shell on /dev/console, started again whenever it exits, for `inst console`.
    "::respawn:-/bin/sh\n"
    "::ctrlaltdel:/sbin/reboot\n"
    "::shutdown:/bin/sync\n";

constexpr std::string_view kRcS =
    "#!/bin/sh\n"
    "# Minimal start-up: the container manager already mounted /proc, /sys and /dev.\n"
    "[ -f /etc/hostname ] && hostname -F /etc/hostname\n"
    "mkdir -p /run /var/run /tmp\n"
    "ip link set lo up 2>/dev/null\n"
    "exit 0\n";

}  // namespace

fs::path static_busybox(std::string* binary) {
    fs::path busybox = find_busybox();
    std::string bytes = read_file(busybox, kMaxBusyboxBytes);
    require_static(busybox, bytes);
    if (binary) *binary = std::move(bytes);
    return busybox;
}

void build_busybox_image(const fs::path& out_tarball) {
    std::string binary;
    fs::path busybox = static_busybox(&binary);
    struct stat st {};
    ::stat(busybox.c_str(), &st);
    std::string version = busybox_version(busybox);
    std::string applets = run_checked({busybox.string(), "--list-full"}, "listing busybox applets");

    ImageMetadata md;
    md.architecture = host_architecture();
    md.creation_date = st.st_mtime;
    md.properties = {{"os", "busybox"}, {"release", version}, {"architecture", md.architecture},
                     {"variant", "static"}, {"description", fmt::format("BusyBox {} (static, {})", version, md.architecture)}};
    md.templates["/etc/hostname"] = ImageTemplate{{"create", "copy"}, "hostname.tpl", false, {}};
    md.templates["/etc/hosts"] = ImageTemplate{{"create", "copy"}, "hosts.tpl", false, {}};

    TarWriter tar(out_tarball, st.st_mtime);
    tar.file("metadata.yaml", render_image_metadata(md));
    tar.dir("templates");
    tar.file("templates/hostname.tpl", "{{ container.name }}\n");
    tar.file("templates/hosts.tpl", "127.0.0.1\tlocalhost\n127.0.1.1\t{{ container.name }}\n"
                                    "::1\tlocalhost ip6-localhost ip6-loopback\n");
    tar.dir("rootfs");
    std::set<std::string> dirs = {"bin", "sbin", "etc", "etc/init.d", "dev", "proc", "sys", "run", "var",
                                  "var/log", "usr", "usr/bin", "usr/sbin", "home", "mnt", "lib", "root"};
    for (const auto& d : dirs) tar.dir("rootfs/" + d, d == "root" ? 0700 : 0755);
    tar.dir("rootfs/tmp", 01777);
    tar.symlink("rootfs/var/run", "/run");
    tar.file("rootfs/bin/busybox", binary, 0755);
    std::istringstream lines(applets);
    std::set<std::string> seen{"bin/busybox"};
    for (std::string applet; std::getline(lines, applet);) {
        if (applet.empty() || !seen.insert(applet).second) continue;
        if (!dirs.count(fs::path(applet).parent_path().string())) continue;
        tar.symlink("rootfs/" + applet, "/bin/busybox");
    }
    tar.file("rootfs/etc/inittab", kInittab);
    tar.file("rootfs/etc/init.d/rcS", kRcS, 0755);
    tar.file("rootfs/etc/hostname", "busybox\n");
    tar.file("rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
    tar.file("rootfs/etc/group", "root:x:0:\nnogroup:x:65534:\n");
    tar.file("rootfs/etc/profile", "export PS1='\\h:\\w\\$ '\n");
    tar.close();
}

}  // namespace li
