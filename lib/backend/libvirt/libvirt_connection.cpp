#include "backend/libvirt/libvirt_connection.hpp"

#include <fmt/format.h>
#include <mutex>
#include <thread>

#include "libinstance/error.hpp"

namespace li {

namespace {

// libvirt's event loop runs on a thread of the library's own for the life of the process: the
// embedded QEMU driver needs one (monitor sockets, process exits), and the host program need not
// know libvirt is there at all.
void ensure_event_loop() {
    static std::once_flag once;
    std::call_once(once, [] {
        const LibvirtApi& api = libvirt();
        if (api.virEventRegisterDefaultImpl() != 0) throw_libvirt_error("starting libvirt's event loop");
        std::thread([&api] {
            for (;;) api.virEventRunDefaultImpl();
        }).detach();
    });
}

}  // namespace

void throw_libvirt_error(const std::string& context) {
    virErrorPtr err = libvirt().virGetLastError();
    std::string message = err && err->message ? err->message : "unknown libvirt error";
    ErrorCode code = ErrorCode::Backend;
    if (err && err->code == VIR_ERR_NO_DOMAIN) code = ErrorCode::NotFound;
    if (err && err->code == VIR_ERR_OPERATION_TIMEOUT) code = ErrorCode::Timeout;
    libvirt().virResetLastError();
    throw Error(code, fmt::format("{}: libvirt: {}", context, message));
}

LibvirtDomain::~LibvirtDomain() {
    if (dom_) libvirt().virDomainFree(dom_);
}

LibvirtDomain& LibvirtDomain::operator=(LibvirtDomain&& other) noexcept {
    if (this != &other) {
        if (dom_) libvirt().virDomainFree(dom_);
        dom_ = other.dom_;
        other.dom_ = nullptr;
    }
    return *this;
}

int LibvirtDomain::state() const {
    int state = 0, reason = 0;
    if (libvirt().virDomainGetState(dom_, &state, &reason, 0) != 0) {
        virErrorPtr err = libvirt().virGetLastError();
        if (err && err->code == VIR_ERR_NO_DOMAIN) return libvirt().virResetLastError(), VIR_DOMAIN_SHUTOFF;
        throw_libvirt_error("reading the domain's state");
    }
    return state;
}

LibvirtDomainInfo LibvirtDomain::info() const {
    virDomainInfo raw{};
    LibvirtDomainInfo out;
    if (libvirt().virDomainGetInfo(dom_, &raw) != 0) {
        virErrorPtr err = libvirt().virGetLastError();
        if (err && err->code == VIR_ERR_NO_DOMAIN) return libvirt().virResetLastError(), out.state = VIR_DOMAIN_SHUTOFF, out;
        throw_libvirt_error("reading the domain's information");
    }
    out.state = raw.state;
    out.cpu_time_ns = raw.cpuTime;
    out.memory_kib = raw.memory;
    out.vcpus = raw.nrVirtCpu;
    virDomainMemoryStatStruct stats[VIR_DOMAIN_MEMORY_STAT_NR];
    int n = libvirt().virDomainMemoryStats(dom_, stats, VIR_DOMAIN_MEMORY_STAT_NR, 0);
    for (int i = 0; i < n; ++i)
        if (stats[i].tag == VIR_DOMAIN_MEMORY_STAT_RSS) out.rss_kib = stats[i].val;
    if (n < 0) libvirt().virResetLastError();  // counters are best effort
    return out;
}

void LibvirtDomain::shutdown() {
    if (libvirt().virDomainShutdownFlags(dom_, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN) != 0) {
        virErrorPtr err = libvirt().virGetLastError();
        if (err && (err->code == VIR_ERR_NO_DOMAIN || err->code == VIR_ERR_OPERATION_INVALID)) {
            libvirt().virResetLastError();  // already stopped, or stopping
            return;
        }
        throw_libvirt_error("asking the guest to power off");
    }
}

void LibvirtDomain::destroy() {
    if (libvirt().virDomainDestroyFlags(dom_, 0) != 0) {
        // A transient domain removed while the call ran is stopped all the same.
        virErrorPtr err = libvirt().virGetLastError();
        if (err && (err->code == VIR_ERR_NO_DOMAIN || err->code == VIR_ERR_OPERATION_INVALID) && state() == VIR_DOMAIN_SHUTOFF) {
            libvirt().virResetLastError();
            return;
        }
        throw_libvirt_error("stopping the domain");
    }
}

void LibvirtDomain::suspend() {
    if (libvirt().virDomainSuspend(dom_) != 0) throw_libvirt_error("pausing the domain");
}

void LibvirtDomain::resume() {
    if (libvirt().virDomainResume(dom_) != 0) throw_libvirt_error("resuming the domain");
}

LibvirtDeviceStats LibvirtDomain::block_stats(const std::string& target) const {
    virDomainBlockStatsStruct raw{};
    LibvirtDeviceStats out;
    if (libvirt().virDomainBlockStats(dom_, target.c_str(), &raw, sizeof raw) != 0) {
        libvirt().virResetLastError();  // counters are best effort
        return out;
    }
    out.read_bytes = raw.rd_bytes;
    out.write_bytes = raw.wr_bytes;
    return out;
}

LibvirtDeviceStats LibvirtDomain::interface_stats(const std::string& target) const {
    virDomainInterfaceStatsStruct raw{};
    LibvirtDeviceStats out;
    if (libvirt().virDomainInterfaceStats(dom_, target.c_str(), &raw, sizeof raw) != 0) {
        libvirt().virResetLastError();
        return out;
    }
    out.rx_bytes = raw.rx_bytes;
    out.rx_packets = raw.rx_packets;
    out.rx_errs = raw.rx_errs;
    out.rx_drop = raw.rx_drop;
    out.tx_bytes = raw.tx_bytes;
    out.tx_packets = raw.tx_packets;
    out.tx_errs = raw.tx_errs;
    out.tx_drop = raw.tx_drop;
    return out;
}

std::string LibvirtDomain::xml() const {
    char* raw = libvirt().virDomainGetXMLDesc(dom_, 0);
    if (!raw) throw_libvirt_error("reading the domain's XML");
    std::string out(raw);
    ::free(raw);
    return out;
}

LibvirtConnection::LibvirtConnection(const std::string& uri) : uri_(uri) {
    ensure_event_loop();
    conn_ = libvirt().virConnectOpen(uri.c_str());
    if (!conn_) throw_libvirt_error(fmt::format("connecting to {}", uri));
}

LibvirtConnection::~LibvirtConnection() {
    if (conn_) libvirt().virConnectClose(conn_);
}

std::optional<LibvirtDomain> LibvirtConnection::find(const std::string& name) const {
    virDomainPtr dom = libvirt().virDomainLookupByName(conn_, name.c_str());
    if (dom) return LibvirtDomain(dom);
    virErrorPtr err = libvirt().virGetLastError();
    if (err && err->code == VIR_ERR_NO_DOMAIN) return libvirt().virResetLastError(), std::nullopt;
    throw_libvirt_error(fmt::format("looking up domain {}", name));
}

LibvirtDomain LibvirtConnection::create(const std::string& xml) {
    virDomainPtr dom = libvirt().virDomainCreateXML(conn_, xml.c_str(), 0);
    if (!dom) throw_libvirt_error("starting the virtual machine");
    return LibvirtDomain(dom);
}

}  // namespace li
