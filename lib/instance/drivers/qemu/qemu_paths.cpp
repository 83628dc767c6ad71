#include "instance/drivers/qemu/qemu_paths.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <mutex>

#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "core/names.hpp"
#include "instance/instance_driver.hpp"
#include "sys/sha256.hpp"

namespace li {

std::string vm_domain_name(const InstanceSpec& spec) { return project_prefixed_name(spec.project, spec.name); }

namespace {

// 12 hex digits of the state directory's hash: short enough for socket paths, unique enough.
std::string state_key(const ManagerCore& core) {
    Sha256 h;
    h.update(std::filesystem::weakly_canonical(core.state_dir()).string());
    return h.hex_digest().substr(0, 12);
}

}  // namespace

std::string vm_libvirtd_uri() {
    const char* env = std::getenv("LIBINSTANCE_LIBVIRT_URI");
    std::string uri = env ? env : "";
    // A process that has used libvirt's embedded QEMU driver (another Manager's) holds that driver
    // in-process: libvirt then gives it every qemu:/// URI (refusing one without root=), and its
    // remote driver declines a daemon's URI that names no socket. So the system daemon's URI names
    // its socket (the modular virtqemud's where it runs), where qemu:///system goes anyway.
    if (uri == "qemu:///system") {
        const char* socket = std::filesystem::exists("/run/libvirt/virtqemud-sock") ? "/run/libvirt/virtqemud-sock" : "/run/libvirt/libvirt-sock";
        uri = std::string("qemu+unix:///system?socket=") + socket;
    }
    return uri;
}

std::string vm_libvirtd_domain_prefix(const ManagerCore& core) { return "li-" + state_key(core) + "-"; }

std::filesystem::path vm_libvirt_root(const ManagerCore& core) { return core.state_dir() / "virt"; }

void claim_embedded_root(const std::filesystem::path& root) {
    static std::mutex mutex;
    static std::filesystem::path claimed;
    std::lock_guard lock(mutex);
    if (claimed.empty()) claimed = root;
    if (claimed != root)
        throw Error(ErrorCode::NotSupported,
                    fmt::format("this process already runs virtual machines for the state directory {}; libvirt's embedded "
                                "driver serves one per process (set LIBINSTANCE_LIBVIRT_URI to use a libvirtd instead)",
                                claimed.parent_path().string()),
                    "type");
}

std::filesystem::path vm_socket_dir(const ManagerCore& core, const std::string& domain) {
    Sha256 d;
    d.update(domain);
    return std::filesystem::path("/run/libinstance") / state_key(core) / d.hex_digest().substr(0, 12);
}

}  // namespace li
