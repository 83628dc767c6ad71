// Lenient readers of the server's profiles, networks, storage pools, volumes and project state.
#include "api/response_json_objects.hpp"

#include "api/response_fields.hpp"

namespace li::rest {

using nlohmann::json;

using namespace field;

namespace {

const json& object_at(const json& doc, const char* key) {
    static const json empty = json::object();
    auto it = doc.find(key);
    return it != doc.end() && it->is_object() ? *it : empty;
}

}  // namespace

api::Profile profile_from_json(const json& doc) {
    api::Profile p;
    if (!doc.is_object()) return p;
    p.name = str(doc, "name");
    p.description = str(doc, "description");
    p.config = string_map(doc, "config");
    p.devices = device_map(doc, "devices");
    p.used_by = string_list(doc, "used_by");
    return p;
}

api::Network network_from_json(const json& doc) {
    api::Network n;
    if (!doc.is_object()) return n;
    n.name = str(doc, "name");
    n.description = str(doc, "description");
    n.type = str(doc, "type");
    n.managed = flag(doc, "managed");
    n.status = str(doc, "status");
    n.config = string_map(doc, "config");
    n.used_by = string_list(doc, "used_by");
    if (auto locations = string_list(doc, "locations"); !locations.empty()) n.locations = locations;
    return n;
}

api::NetworkState network_state_from_json(const json& doc) {
    api::NetworkState s;
    if (!doc.is_object()) return s;
    if (auto a = doc.find("addresses"); a != doc.end() && a->is_array())
        for (const auto& addr : *a)
            s.addresses.push_back({str(addr, "family"), str(addr, "address"), str(addr, "netmask"), str(addr, "scope")});
    const json& c = object_at(doc, "counters");
    s.counters.bytes_received = num(c, "bytes_received");
    s.counters.bytes_sent = num(c, "bytes_sent");
    s.counters.packets_received = num(c, "packets_received");
    s.counters.packets_sent = num(c, "packets_sent");
    s.hwaddr = str(doc, "hwaddr");
    s.mtu = num(doc, "mtu");
    s.state = str(doc, "state");
    s.type = str(doc, "type");
    if (auto b = doc.find("bridge"); b != doc.end() && b->is_object()) {
        s.has_bridge = true;
        s.bridge.id = str(*b, "id");
        s.bridge.stp = flag(*b, "stp");
        s.bridge.forward_delay = static_cast<uint64_t>(num(*b, "forward_delay"));
        s.bridge.vlan_default = static_cast<uint64_t>(num(*b, "vlan_default"));
        s.bridge.vlan_filtering = flag(*b, "vlan_filtering");
        s.bridge.upper_devices = string_list(*b, "upper_devices");
    }
    return s;
}

api::NetworkLease network_lease_from_json(const json& doc) {
    api::NetworkLease l;
    if (!doc.is_object()) return l;
    l.hostname = str(doc, "hostname");
    l.hwaddr = str(doc, "hwaddr");
    l.address = str(doc, "address");
    l.type = str(doc, "type");
    if (auto location = str(doc, "location"); !location.empty()) l.location = location;
    return l;
}

api::StoragePool storage_pool_from_json(const json& doc) {
    api::StoragePool p;
    if (!doc.is_object()) return p;
    p.name = str(doc, "name");
    p.driver = str(doc, "driver");
    p.description = str(doc, "description");
    p.config = string_map(doc, "config");
    if (auto status = str(doc, "status"); !status.empty()) p.status = status;
    p.used_by = string_list(doc, "used_by");
    if (auto locations = string_list(doc, "locations"); !locations.empty()) p.locations = locations;
    return p;
}

api::ResourcesStoragePool pool_resources_from_json(const json& doc) {
    api::ResourcesStoragePool r;
    if (!doc.is_object()) return r;
    const json& space = object_at(doc, "space");
    const json& inodes = object_at(doc, "inodes");
    r.space.used = static_cast<uint64_t>(num(space, "used"));
    r.space.total = static_cast<uint64_t>(num(space, "total"));
    r.inodes.used = static_cast<uint64_t>(num(inodes, "used"));
    r.inodes.total = static_cast<uint64_t>(num(inodes, "total"));
    return r;
}

api::StorageVolume storage_volume_from_json(const json& doc) {
    api::StorageVolume v;
    if (!doc.is_object()) return v;
    v.name = str(doc, "name");
    v.type = str(doc, "type");
    if (auto content = str(doc, "content_type"); !content.empty()) v.content_type = content;
    v.description = str(doc, "description");
    v.config = string_map(doc, "config");
    v.used_by = string_list(doc, "used_by");
    if (auto location = str(doc, "location"); !location.empty()) v.location = location;
    if (auto project = str(doc, "project"); !project.empty()) v.project = project;
    v.created_at = time_of(doc, "created_at");
    return v;
}

api::StorageVolumeSnapshot volume_snapshot_from_json(const json& doc) {
    api::StorageVolumeSnapshot s;
    if (!doc.is_object()) return s;
    s.name = str(doc, "name");
    if (auto slash = s.name.rfind('/'); slash != std::string::npos) s.name = s.name.substr(slash + 1);
    s.description = str(doc, "description");
    s.config = string_map(doc, "config");
    if (auto content = str(doc, "content_type"); !content.empty()) s.content_type = content;
    s.created_at = time_of(doc, "created_at");
    s.expires_at = time_of(doc, "expires_at");
    return s;
}

api::ProjectState project_state_from_json(const json& doc) {
    api::ProjectState s;
    for (const auto& [name, resource] : object_at(doc, "resources").items())
        if (resource.is_object()) s.resources[name] = {num(resource, "Limit", num(resource, "limit", -1)), num(resource, "Usage", num(resource, "usage"))};
    return s;
}

}  // namespace li::rest
