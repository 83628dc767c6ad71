#pragma once
// The libvirt seam: a connection and its domains as RAII objects, libvirt's errors as li::Error.
// Nothing above this file sees a libvirt pointer.

#include <cstdint>
#include <optional>
#include <string>

#include "backend/libvirt/libvirt_api.hpp"

namespace li {

/// Counters of one block or network device of a running domain.
struct LibvirtDeviceStats {
    int64_t read_bytes = 0, write_bytes = 0;        ///< block: bytes read/written
    int64_t rx_bytes = 0, rx_packets = 0, rx_errs = 0, rx_drop = 0;  ///< network, as the host sees the tap
    int64_t tx_bytes = 0, tx_packets = 0, tx_errs = 0, tx_drop = 0;
};

/// What virDomainGetInfo tells, plus the host memory (RSS) of the domain's QEMU.
struct LibvirtDomainInfo {
    int state = VIR_DOMAIN_NOSTATE;  ///< virDomainState
    uint64_t cpu_time_ns = 0;
    uint64_t memory_kib = 0;         ///< memory given to the guest
    uint64_t rss_kib = 0;            ///< QEMU's resident memory on the host (0: unknown)
    unsigned int vcpus = 0;
};

/// A domain handle (move-only).
class LibvirtDomain {
public:
    explicit LibvirtDomain(virDomainPtr dom) : dom_(dom) {}
    ~LibvirtDomain();
    LibvirtDomain(LibvirtDomain&& other) noexcept : dom_(other.dom_) { other.dom_ = nullptr; }
    LibvirtDomain& operator=(LibvirtDomain&& other) noexcept;
    LibvirtDomain(const LibvirtDomain&) = delete;
    LibvirtDomain& operator=(const LibvirtDomain&) = delete;

    /// virDomainState; VIR_DOMAIN_SHUTOFF once it is gone (a transient domain vanishes on stop).
    int state() const;
    LibvirtDomainInfo info() const;
    /// Asks the guest to power off (ACPI power button); returns at once.
    void shutdown();
    /// Stops the domain at once; a domain already gone counts as stopped.
    void destroy();
    void suspend();
    void resume();
    LibvirtDeviceStats block_stats(const std::string& target) const;
    LibvirtDeviceStats interface_stats(const std::string& target) const;
    /// The domain's live XML (what libvirt filled in: tap names, PCI addresses).
    std::string xml() const;

private:
    virDomainPtr dom_;
};

/// A connection to a libvirt driver (move-only, thread-safe as libvirt's own is). Opening one
/// first starts the process's libvirt event loop, which embedded drivers need.
class LibvirtConnection {
public:
    explicit LibvirtConnection(const std::string& uri);
    ~LibvirtConnection();
    LibvirtConnection(const LibvirtConnection&) = delete;
    LibvirtConnection& operator=(const LibvirtConnection&) = delete;

    /// The domain named `name`, or nothing when there is none (a stopped transient domain).
    std::optional<LibvirtDomain> find(const std::string& name) const;
    /// Creates and starts a transient domain from its XML.
    LibvirtDomain create(const std::string& xml);
    const std::string& uri() const { return uri_; }

private:
    std::string uri_;
    virConnectPtr conn_ = nullptr;
};

/// Throws the last libvirt error of this thread as li::Error (NotFound for a missing domain,
/// Backend otherwise), the message prefixed with `context`.
[[noreturn]] void throw_libvirt_error(const std::string& context);

}  // namespace li
