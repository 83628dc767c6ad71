#pragma once
// Where a VM's files are: libvirt's embedded root, the sockets QEMU listens on, the logs.

#include <filesystem>
#include <string>

namespace li {

class ManagerCore;
struct InstanceSpec;

/// The libvirt domain of an instance: its name, prefixed by its project like liblxc's.
std::string vm_domain_name(const InstanceSpec& spec);

/// The libvirt URI VMs run through: LIBINSTANCE_LIBVIRT_URI (a libvirtd, e.g. qemu:///system, which
/// is used as qemu+unix:///system?socket=<the daemon's socket>), or "" for libvirt's embedded QEMU driver rooted in the state
/// directory. Read when a Manager opens.
std::string vm_libvirtd_uri();

/// The prefix of this state directory's domains on a libvirtd, where the domains of every state
/// directory (and of other programs) share one namespace: "li-<hash of the state directory>-".
std::string vm_libvirtd_domain_prefix(const ManagerCore& core);

/// The root of libvirt's embedded QEMU driver: <state>/virt.
std::filesystem::path vm_libvirt_root(const ManagerCore& core);

/// Claims libvirt's embedded driver of this process for `root`. libvirt serves one embedded root
/// per process, for the life of the process, so a second Manager (another state directory) in
/// the same process cannot run VMs through it: NotSupported, saying so, instead of libvirt's
/// internal error. Claiming the claimed root again is fine.
void claim_embedded_root(const std::filesystem::path& root);

/// The folder of a running VM's sockets (console, agent). Socket paths are limited to 107
/// bytes, so this is a short path under /run keyed by the state directory, not the state
/// directory itself, which may be long.
std::filesystem::path vm_socket_dir(const ManagerCore& core, const std::string& domain);

}  // namespace li
