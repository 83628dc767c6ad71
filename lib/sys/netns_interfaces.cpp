#include "sys/netns_interfaces.hpp"
#include "sys/netlink_text.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <cstring>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <exception>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace {

// A NETLINK_ROUTE socket that belongs to pid's network namespace: sockets keep the namespace they
// were created in, so the calling thread enters it just for the socket() call and returns to its
// own at once (a thread started for it cost milliseconds of scheduling on a busy host).
UniqueFd netlink_socket_in(pid_t pid) {
    UniqueFd ns(::open(fmt::format("/proc/{}/ns/net", pid).c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw Error::from_errno(fmt::format("opening the network namespace of pid {}", pid), errno);
    UniqueFd own(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!own) throw Error::from_errno("opening this thread's network namespace", errno);
    if (::setns(ns.get(), CLONE_NEWNET) != 0)
        throw Error::from_errno(fmt::format("entering the network namespace of pid {}", pid), errno);
    int sock = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    int err = errno;
    // A daemon thread left in a container's namespace would do the daemon's networking there.
    if (::setns(own.get(), CLONE_NEWNET) != 0) std::terminate();
    if (sock < 0) throw Error::from_errno(fmt::format("a netlink socket in the network namespace of pid {}", pid), err);
    return UniqueFd(sock);
}

// Sends one dump request and calls on_message for every reply until NLMSG_DONE.
template <typename Fn>
void dump(int sock, uint16_t type, unsigned char family, Fn&& on_message) {
    struct {
        nlmsghdr hdr;
        rtgenmsg gen;
    } req{};
    req.hdr.nlmsg_len = sizeof req;
    req.hdr.nlmsg_type = type;
    req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.hdr.nlmsg_seq = 1;
    req.gen.rtgen_family = family;
    if (::send(sock, &req, sizeof req, 0) < 0) throw Error::from_errno("netlink request", errno);
    std::vector<char> buf(64 * 1024);
    for (;;) {
        ssize_t n = ::recv(sock, buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error::from_errno("netlink reply", errno);
        }
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE) return;
            if (h->nlmsg_type == NLMSG_ERROR) {
                auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(h));
                throw Error::from_errno("netlink dump", -e->error);
            }
            on_message(h);
        }
    }
}

void read_link(nlmsghdr* h, std::map<int, std::string>& names, std::map<std::string, api::InstanceStateNetwork>& out) {
    auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(h));
    int len = static_cast<int>(IFLA_PAYLOAD(h));
    api::InstanceStateNetwork nic;
    std::string name;
    nic.state = (ifi->ifi_flags & IFF_UP) ? "up" : "down";
    nic.type = ifi->ifi_type == ARPHRD_LOOPBACK ? "loopback"
               : (ifi->ifi_flags & IFF_POINTOPOINT) ? "point-to-point"
                                                    : "broadcast";
    for (auto* a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        switch (a->rta_type) {
        case IFLA_IFNAME: name = static_cast<const char*>(RTA_DATA(a)); break;
        case IFLA_MTU: nic.mtu = *static_cast<const uint32_t*>(RTA_DATA(a)); break;
        case IFLA_ADDRESS: nic.hwaddr = netlink_text::hwaddr(static_cast<const unsigned char*>(RTA_DATA(a)), RTA_PAYLOAD(a)); break;
        case IFLA_STATS64: {
            rtnl_link_stats64 s{};
            std::memcpy(&s, RTA_DATA(a), std::min<size_t>(sizeof s, RTA_PAYLOAD(a)));
            nic.counters.bytes_received = static_cast<int64_t>(s.rx_bytes);
            nic.counters.bytes_sent = static_cast<int64_t>(s.tx_bytes);
            nic.counters.packets_received = static_cast<int64_t>(s.rx_packets);
            nic.counters.packets_sent = static_cast<int64_t>(s.tx_packets);
            nic.counters.errors_received = static_cast<int64_t>(s.rx_errors);
            nic.counters.errors_sent = static_cast<int64_t>(s.tx_errors);
            nic.counters.packets_dropped_inbound = static_cast<int64_t>(s.rx_dropped);
            nic.counters.packets_dropped_outbound = static_cast<int64_t>(s.tx_dropped);
            break;
        }
        default: break;
        }
    }
    if (name.empty()) return;
    names[ifi->ifi_index] = name;
    out[name] = std::move(nic);
}

void read_address(nlmsghdr* h, const std::map<int, std::string>& names, std::map<std::string, api::InstanceStateNetwork>& out) {
    auto* ifa = static_cast<ifaddrmsg*>(NLMSG_DATA(h));
    auto name = names.find(static_cast<int>(ifa->ifa_index));
    if (name == names.end() || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)) return;
    int len = static_cast<int>(IFA_PAYLOAD(h));
    const void* address = nullptr;
    const void* local = nullptr;
    for (auto* a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == IFA_ADDRESS) address = RTA_DATA(a);
        if (a->rta_type == IFA_LOCAL) local = RTA_DATA(a);
    }
    // On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is always this side's.
    const void* mine = local ? local : address;
    if (!mine) return;
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(ifa->ifa_family, mine, text, sizeof text);
    out[name->second].addresses.push_back(api::InstanceStateNetworkAddress{
        ifa->ifa_family == AF_INET ? "inet" : "inet6", text, std::to_string(ifa->ifa_prefixlen), netlink_text::scope_name(ifa->ifa_scope)});
}

}  // namespace

std::map<std::string, api::InstanceStateNetwork> netns_interfaces(pid_t pid) {
    UniqueFd sock = netlink_socket_in(pid);
    std::map<std::string, api::InstanceStateNetwork> out;
    std::map<int, std::string> names;
    dump(sock.get(), RTM_GETLINK, AF_UNSPEC, [&](nlmsghdr* h) {
        if (h->nlmsg_type == RTM_NEWLINK) read_link(h, names, out);
    });
    dump(sock.get(), RTM_GETADDR, AF_UNSPEC, [&](nlmsghdr* h) {
        if (h->nlmsg_type == RTM_NEWADDR) read_address(h, names, out);
    });
    return out;
}

}  // namespace li
