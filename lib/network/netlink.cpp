// rtnetlink requests: one socket per call (cheap, and it keeps calls thread-safe), a message
// builder for attributes, and the ACK / dump readers.
#include "network/netlink.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <net/if.h>  // before the linux/ headers, which then skip their duplicates
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/if_vlan.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "libinstance/error.hpp"
#include "sys/netlink_text.hpp"
#include "sys/unique_fd.hpp"

namespace li::netlink {

namespace {

UniqueFd open_socket() {
    UniqueFd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!sock) throw Error::from_errno("opening a netlink socket", errno);
    return sock;
}

// A request message: header, the fixed struct, then attributes (nested ones through begin/end).
class Message {
public:
    Message(uint16_t type, uint16_t flags) : buf_(NLMSG_SPACE(0), 0) {
        hdr()->nlmsg_type = type;
        hdr()->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
        hdr()->nlmsg_len = NLMSG_LENGTH(0);
    }
    template <typename T>
    T* put_struct(const T& value) {
        size_t at = append(&value, sizeof value);
        return reinterpret_cast<T*>(buf_.data() + at);
    }
    void attr(uint16_t type, const void* data, size_t len) {
        rtattr a{};
        a.rta_type = type;
        a.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
        size_t at = append(&a, sizeof a);  // rtattr is 4 bytes: the data follows aligned
        if (len) append(data, len);
        (void)at;
    }
    void attr_str(uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
    void attr_u32(uint16_t type, uint32_t v) { attr(type, &v, sizeof v); }
    size_t begin(uint16_t type) {
        size_t at = buf_.size();
        attr(type, nullptr, 0);
        return at;
    }
    void end(size_t at) { reinterpret_cast<rtattr*>(buf_.data() + at)->rta_len = static_cast<unsigned short>(buf_.size() - at); }
    nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }

private:
    size_t append(const void* data, size_t len) {
        size_t at = NLMSG_ALIGN(buf_.size());
        buf_.resize(at + NLMSG_ALIGN(len), 0);
        if (len) std::memcpy(buf_.data() + at, data, len);
        hdr()->nlmsg_len = static_cast<uint32_t>(buf_.size());
        return at;
    }
    std::vector<char> buf_;
};

void send(int sock, Message& msg) {
    msg.hdr()->nlmsg_seq = 1;
    if (::send(sock, msg.hdr(), msg.hdr()->nlmsg_len, 0) < 0) throw Error::from_errno("sending a netlink request", errno);
}

// Sends a change and waits for its ACK; a kernel error becomes Error(System) with `what`.
void request(Message& msg, const std::string& what) {
    UniqueFd sock = open_socket();
    msg.hdr()->nlmsg_flags |= NLM_F_ACK;
    send(sock.get(), msg);
    std::vector<char> buf(32 * 1024);
    for (;;) {
        ssize_t n = ::recv(sock.get(), buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error::from_errno(what, errno);
        }
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type != NLMSG_ERROR) continue;
            int err = -static_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
            if (err != 0) throw Error::from_errno(what, err);
            return;
        }
    }
}

template <typename Fn>
void dump(Message& msg, Fn&& on_message) {
    UniqueFd sock = open_socket();
    msg.hdr()->nlmsg_flags |= NLM_F_DUMP;
    send(sock.get(), msg);
    std::vector<char> buf(64 * 1024);
    for (;;) {
        ssize_t n = ::recv(sock.get(), buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error::from_errno("reading a netlink dump", errno);
        }
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE) return;
            if (h->nlmsg_type == NLMSG_ERROR) throw Error::from_errno("netlink dump", -static_cast<nlmsgerr*>(NLMSG_DATA(h))->error);
            on_message(h);
        }
    }
}

int index_of(const std::string& name) {
    unsigned idx = ::if_nametoindex(name.c_str());
    if (idx == 0) throw Error::from_errno(fmt::format("interface {}", name), errno == 0 ? ENODEV : errno);
    return static_cast<int>(idx);
}

// An RTM_NEWLINK on an existing link (by index) with some attributes.
Message link_change(const std::string& name) {
    Message msg(RTM_NEWLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = index_of(name);
    msg.put_struct(ifi);
    return msg;
}

Link read_link(nlmsghdr* h) {
    auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(h));
    Link link;
    link.index = ifi->ifi_index;
    link.flags = ifi->ifi_flags;
    link.loopback = ifi->ifi_type == ARPHRD_LOOPBACK;
    int len = static_cast<int>(IFLA_PAYLOAD(h));
    for (auto* a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        switch (a->rta_type) {
        case IFLA_IFNAME: link.name = static_cast<const char*>(RTA_DATA(a)); break;
        case IFLA_MTU: link.mtu = *static_cast<const uint32_t*>(RTA_DATA(a)); break;
        case IFLA_MASTER: link.master = static_cast<int>(*static_cast<const uint32_t*>(RTA_DATA(a))); break;
        case IFLA_ADDRESS: link.hwaddr = netlink_text::hwaddr(static_cast<const unsigned char*>(RTA_DATA(a)), RTA_PAYLOAD(a)); break;
        case IFLA_STATS64: {
            rtnl_link_stats64 s{};
            std::memcpy(&s, RTA_DATA(a), std::min<size_t>(sizeof s, RTA_PAYLOAD(a)));
            link.stats = {s.rx_bytes, s.tx_bytes, s.rx_packets, s.tx_packets};
            break;
        }
        case IFLA_LINKINFO: {
            int ilen = static_cast<int>(RTA_PAYLOAD(a));
            for (auto* i = static_cast<rtattr*>(RTA_DATA(a)); RTA_OK(i, ilen); i = RTA_NEXT(i, ilen))
                if (i->rta_type == IFLA_INFO_KIND) link.kind = static_cast<const char*>(RTA_DATA(i));
            break;
        }
        default: break;
        }
    }
    return link;
}

Message address_change(uint16_t type, uint16_t flags, const std::string& name, const net::Cidr& cidr) {
    Message msg(type, flags);
    ifaddrmsg ifa{};
    ifa.ifa_family = cidr.family == 4 ? AF_INET : AF_INET6;
    ifa.ifa_prefixlen = static_cast<unsigned char>(cidr.prefix);
    ifa.ifa_index = static_cast<unsigned>(index_of(name));
    // No duplicate address detection: a bridge's address is its own, and DAD would leave it
    // "tentative" (unusable) until the bridge has a port.
    ifa.ifa_flags = cidr.family == 6 ? IFA_F_NODAD : 0;
    msg.put_struct(ifa);
    msg.attr(IFA_LOCAL, cidr.bytes.data(), cidr.size());
    msg.attr(IFA_ADDRESS, cidr.bytes.data(), cidr.size());
    return msg;
}

}  // namespace

std::vector<Link> links() {
    Message msg(RTM_GETLINK, 0);
    ifinfomsg ifi{};
    msg.put_struct(ifi);
    std::vector<Link> out;
    dump(msg, [&](nlmsghdr* h) {
        if (h->nlmsg_type == RTM_NEWLINK) out.push_back(read_link(h));
    });
    return out;
}

std::optional<Link> find_link(const std::string& name) {
    for (auto& link : links())
        if (link.name == name) return std::move(link);
    return std::nullopt;
}

void create_bridge(const std::string& name) {
    Message msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    ifinfomsg ifi{};
    msg.put_struct(ifi);
    msg.attr_str(IFLA_IFNAME, name);
    size_t info = msg.begin(IFLA_LINKINFO);
    msg.attr(IFLA_INFO_KIND, "bridge", 6);
    msg.end(info);
    request(msg, fmt::format("creating bridge {}", name));
}

namespace {

// An IPv4 or IPv6 address as the kernel wants it (4 or 16 bytes); `what` names it in the error.
std::vector<unsigned char> address_bytes(const std::string& text, const std::string& what) {
    std::vector<unsigned char> out(16);
    if (::inet_pton(AF_INET, text.c_str(), out.data()) == 1) {
        out.resize(4);
        return out;
    }
    if (::inet_pton(AF_INET6, text.c_str(), out.data()) == 1) return out;
    throw Error::invalid(what, fmt::format("\"{}\" is not an IP address", text));
}

// RTM_NEWLINK creating NAME of `kind`; fill(msg) adds the kind's IFLA_INFO_DATA attributes.
template <typename Fill>
void create_link(const std::string& name, const char* kind, const std::string& what, Fill&& fill, int link = 0) {
    Message msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    ifinfomsg ifi{};
    msg.put_struct(ifi);
    msg.attr_str(IFLA_IFNAME, name);
    if (link) msg.attr_u32(IFLA_LINK, static_cast<uint32_t>(link));
    size_t info = msg.begin(IFLA_LINKINFO);
    msg.attr(IFLA_INFO_KIND, kind, std::strlen(kind));
    size_t data = msg.begin(IFLA_INFO_DATA);
    fill(msg);
    msg.end(data);
    msg.end(info);
    request(msg, what);
}

}  // namespace

void create_vxlan(const VxlanSpec& spec) {
    int device = spec.device.empty() ? 0 : index_of(spec.device);
    create_link(spec.name, "vxlan", fmt::format("creating vxlan {}", spec.name), [&](Message& msg) {
        msg.attr_u32(IFLA_VXLAN_ID, spec.id);
        if (!spec.local.empty()) {
            auto local = address_bytes(spec.local, "local");
            msg.attr(local.size() == 4 ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, local.data(), local.size());
        }
        // The peer and the multicast group are one attribute: unicast means point-to-point.
        std::string peer = spec.remote.empty() ? spec.group : spec.remote;
        if (!peer.empty()) {
            auto bytes = address_bytes(peer, spec.remote.empty() ? "group" : "remote");
            msg.attr(bytes.size() == 4 ? IFLA_VXLAN_GROUP : IFLA_VXLAN_GROUP6, bytes.data(), bytes.size());
        }
        if (device) msg.attr_u32(IFLA_VXLAN_LINK, static_cast<uint32_t>(device));
        if (spec.port) {
            uint16_t port = htons(spec.port);
            msg.attr(IFLA_VXLAN_PORT, &port, sizeof port);
        }
        if (spec.ttl) msg.attr(IFLA_VXLAN_TTL, &spec.ttl, 1);
    });
}

void create_gretap(const GretapSpec& spec) {
    auto local = address_bytes(spec.local, "local");
    auto remote = address_bytes(spec.remote, "remote");
    if (local.size() != remote.size())
        throw Error::invalid("remote", fmt::format("gretap {}: local {} and remote {} are not of one IP family", spec.name, spec.local, spec.remote));
    const char* kind = local.size() == 4 ? "gretap" : "ip6gretap";
    create_link(spec.name, kind, fmt::format("creating {} {}", kind, spec.name), [&](Message& msg) {
        msg.attr(IFLA_GRE_LOCAL, local.data(), local.size());
        msg.attr(IFLA_GRE_REMOTE, remote.data(), remote.size());
        if (spec.ttl) msg.attr(IFLA_GRE_TTL, &spec.ttl, 1);
    });
}

void create_vlan(const std::string& name, const std::string& parent, uint16_t id, bool gvrp) {
    int link = index_of(parent);
    create_link(name, "vlan", fmt::format("creating vlan {} on {}", name, parent), [&](Message& msg) {
        msg.attr(IFLA_VLAN_ID, &id, sizeof id);
        if (gvrp) {
            ifla_vlan_flags flags{VLAN_FLAG_GVRP, VLAN_FLAG_GVRP};
            msg.attr(IFLA_VLAN_FLAGS, &flags, sizeof flags);
        }
    }, link);
}

void delete_link(const std::string& name) {
    Message msg(RTM_DELLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_index = index_of(name);
    msg.put_struct(ifi);
    request(msg, fmt::format("deleting interface {}", name));
}

void set_up(const std::string& name, bool up) {
    Message msg(RTM_NEWLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_index = index_of(name);
    ifi.ifi_change = IFF_UP;
    ifi.ifi_flags = up ? IFF_UP : 0;
    msg.put_struct(ifi);
    request(msg, fmt::format("setting interface {} {}", name, up ? "up" : "down"));
}

void set_mtu(const std::string& name, uint32_t mtu) {
    Message msg = link_change(name);
    msg.attr_u32(IFLA_MTU, mtu);
    request(msg, fmt::format("setting the MTU of {} to {}", name, mtu));
}

void set_hwaddr(const std::string& name, const std::string& hwaddr) {
    unsigned char mac[6];
    unsigned v[6];
    char tail = 0;
    if (std::sscanf(hwaddr.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        throw Error::invalid("hwaddr", fmt::format("\"{}\" is not a MAC address", hwaddr));
    for (int i = 0; i < 6; i++) mac[i] = static_cast<unsigned char>(v[i]);
    Message msg = link_change(name);
    msg.attr(IFLA_ADDRESS, mac, sizeof mac);
    request(msg, fmt::format("setting the MAC address of {} to {}", name, hwaddr));
}

void rename_link(const std::string& name, const std::string& new_name) {
    Message msg = link_change(name);
    msg.attr_str(IFLA_IFNAME, new_name);
    request(msg, fmt::format("renaming interface {} to {}", name, new_name));
}

void set_master(const std::string& name, const std::string& bridge) {
    Message msg = link_change(name);
    msg.attr_u32(IFLA_MASTER, static_cast<uint32_t>(index_of(bridge)));
    request(msg, fmt::format("attaching {} to bridge {}", name, bridge));
}

void add_address(const std::string& name, const net::Cidr& cidr) {
    Message msg = address_change(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, name, cidr);
    request(msg, fmt::format("adding address {} to {}", cidr.text(), name));
}

void delete_address(const std::string& name, const net::Cidr& cidr) {
    Message msg = address_change(RTM_DELADDR, 0, name, cidr);
    request(msg, fmt::format("removing address {} from {}", cidr.text(), name));
}

std::vector<Address> addresses(int family) {
    Message msg(RTM_GETADDR, 0);
    ifaddrmsg req{};
    req.ifa_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
    msg.put_struct(req);
    std::vector<Address> out;
    dump(msg, [&](nlmsghdr* h) {
        if (h->nlmsg_type != RTM_NEWADDR) return;
        auto* ifa = static_cast<ifaddrmsg*>(NLMSG_DATA(h));
        if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) return;
        int len = static_cast<int>(IFA_PAYLOAD(h));
        const void* address = nullptr;
        const void* local = nullptr;
        for (auto* a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if (a->rta_type == IFA_ADDRESS) address = RTA_DATA(a);
            if (a->rta_type == IFA_LOCAL) local = RTA_DATA(a);
        }
        const void* mine = local ? local : address;  // IFA_ADDRESS is the peer on point-to-point links
        if (!mine) return;
        Address addr;
        addr.index = static_cast<int>(ifa->ifa_index);
        addr.cidr.family = ifa->ifa_family == AF_INET ? 4 : 6;
        addr.cidr.prefix = ifa->ifa_prefixlen;
        std::memcpy(addr.cidr.bytes.data(), mine, addr.cidr.size());
        addr.scope = netlink_text::scope_name(ifa->ifa_scope);
        out.push_back(addr);
    });
    return out;
}

std::vector<Route> routes(int family) {
    Message msg(RTM_GETROUTE, 0);
    rtmsg req{};
    req.rtm_family = family == 4 ? AF_INET : AF_INET6;
    msg.put_struct(req);
    std::vector<Route> out;
    dump(msg, [&](nlmsghdr* h) {
        if (h->nlmsg_type != RTM_NEWROUTE) return;
        auto* rt = static_cast<rtmsg*>(NLMSG_DATA(h));
        if (rt->rtm_table != RT_TABLE_MAIN || rt->rtm_type != RTN_UNICAST) return;
        Route route;
        route.dst.family = family;
        route.dst.prefix = rt->rtm_dst_len;
        int len = static_cast<int>(RTM_PAYLOAD(h));
        for (auto* a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if (a->rta_type == RTA_DST) std::memcpy(route.dst.bytes.data(), RTA_DATA(a), route.dst.size());
            if (a->rta_type == RTA_OIF) route.index = static_cast<int>(*static_cast<const uint32_t*>(RTA_DATA(a)));
        }
        out.push_back(route);
    });
    return out;
}

}  // namespace li::netlink
