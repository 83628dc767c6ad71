#include "image/busybox_builder.hpp"
#include "image/archive_message.hpp"

#include "image/archive_api.hpp"
#include <cstdlib>
#include <elf.h>
#include <fmt/format.h>
#include <memory>
#include <set>
#include <sstream>
#include <sys/stat.h>

#include "image/metadata.hpp"
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

struct ArchiveDeleter {
    void operator()(archive* a) const { libarchive().archive_write_free(a); }
};

class TarWriter {
public:
    TarWriter(const fs::path& out, time_t mtime) : a_(libarchive().archive_write_new()), mtime_(mtime) {
        libarchive().archive_write_add_filter_gzip(a_.get());
        // No timestamp in the gzip header, so the same inputs give the same fingerprint.
        libarchive().archive_write_set_filter_option(a_.get(), "gzip", "timestamp", nullptr);
        libarchive().archive_write_set_format_pax_restricted(a_.get());
        if (libarchive().archive_write_open_filename(a_.get(), out.c_str()) != ARCHIVE_OK)
            throw Error(ErrorCode::System, fmt::format("creating {}: {}", out.string(), archive_message(a_.get())));
    }

    void dir(const std::string& path, mode_t mode = 0755) { add(path, AE_IFDIR | mode, {}, {}); }
    void file(const std::string& path, std::string_view content, mode_t mode = 0644) {
        add(path, AE_IFREG | mode, content, {});
    }
    void symlink(const std::string& path, const std::string& target) { add(path, AE_IFLNK | 0777, {}, target); }

    void close() {
        if (libarchive().archive_write_close(a_.get()) != ARCHIVE_OK)
            throw Error(ErrorCode::System, fmt::format("writing image: {}", archive_message(a_.get())));
    }

private:
    void add(const std::string& path, mode_t mode, std::string_view content, const std::string& link) {
        std::unique_ptr<archive_entry, decltype(libarchive().archive_entry_free)> e(libarchive().archive_entry_new(), libarchive().archive_entry_free);
        libarchive().archive_entry_set_pathname(e.get(), path.c_str());
        libarchive().archive_entry_set_mode(e.get(), mode);
        libarchive().archive_entry_set_uid(e.get(), 0);
        libarchive().archive_entry_set_gid(e.get(), 0);
        libarchive().archive_entry_set_uname(e.get(), "root");
        libarchive().archive_entry_set_gname(e.get(), "root");
        libarchive().archive_entry_set_mtime(e.get(), mtime_, 0);
        libarchive().archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
        if (!link.empty()) libarchive().archive_entry_set_symlink(e.get(), link.c_str());
        if (libarchive().archive_write_header(a_.get(), e.get()) != ARCHIVE_OK ||
            (!content.empty() && libarchive().archive_write_data(a_.get(), content.data(), content.size()) < 0))
            throw Error(ErrorCode::System, fmt::format("writing image entry {}: {}", path, archive_message(a_.get())));
    }

    std::unique_ptr<archive, ArchiveDeleter> a_;
    time_t mtime_;
};

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

void build_busybox_image(const fs::path& out_tarball) {
    fs::path busybox = find_busybox();
    std::string binary = read_file(busybox, kMaxBusyboxBytes);
    require_static(busybox, binary);
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
