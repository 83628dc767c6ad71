#include "instance/drivers/qemu/qemu_paths.hpp"

#include <fmt/format.h>
#include <mutex>

#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "core/names.hpp"
#include "instance/instance_driver.hpp"
#include "sys/sha256.hpp"

namespace li {

std::string vm_domain_name(const InstanceSpec& spec) { return project_prefixed_name(spec.project, spec.name); }

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
    Sha256 h;
    h.update(std::filesystem::weakly_canonical(core.state_dir()).string());
    Sha256 d;
    d.update(domain);
    return std::filesystem::path("/run/libinstance") / h.hex_digest().substr(0, 12) / d.hex_digest().substr(0, 12);
}

}  // namespace li
