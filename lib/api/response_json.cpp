#include "api/response_json.hpp"

#include "api/response_fields.hpp"

namespace li::rest {

using nlohmann::json;

using namespace field;

api::InstanceState instance_state_from_json(const json& doc) {
    api::InstanceState s;
    if (!doc.is_object()) return s;
    s.status = str(doc, "status");
    s.status_code = static_cast<int>(num(doc, "status_code", 102));
    s.pid = num(doc, "pid");
    s.processes = num(doc, "processes");
    s.accelerator = str(doc, "accelerator");
    if (auto m = doc.find("memory"); m != doc.end() && m->is_object()) {
        s.memory.usage = num(*m, "usage");
        s.memory.usage_peak = num(*m, "usage_peak");
        s.memory.swap_usage = num(*m, "swap_usage");
        s.memory.swap_usage_peak = num(*m, "swap_usage_peak");
    }
    if (auto c = doc.find("cpu"); c != doc.end() && c->is_object()) s.cpu.usage = num(*c, "usage");
    if (auto d = doc.find("disk"); d != doc.end() && d->is_object())
        for (const auto& [name, disk] : d->items()) s.disk[name].usage = num(disk, "usage");
    if (auto n = doc.find("network"); n != doc.end() && n->is_object()) {
        for (const auto& [name, nic] : n->items()) {
            api::InstanceStateNetwork net;
            if (auto a = nic.find("addresses"); a != nic.end() && a->is_array())
                for (const auto& addr : *a)
                    net.addresses.push_back({str(addr, "family"), str(addr, "address"), str(addr, "netmask"), str(addr, "scope")});
            if (auto c = nic.find("counters"); c != nic.end() && c->is_object()) {
                net.counters.bytes_received = num(*c, "bytes_received");
                net.counters.bytes_sent = num(*c, "bytes_sent");
                net.counters.packets_received = num(*c, "packets_received");
                net.counters.packets_sent = num(*c, "packets_sent");
                net.counters.errors_received = num(*c, "errors_received");
                net.counters.errors_sent = num(*c, "errors_sent");
                net.counters.packets_dropped_outbound = num(*c, "packets_dropped_outbound");
                net.counters.packets_dropped_inbound = num(*c, "packets_dropped_inbound");
            }
            net.hwaddr = str(nic, "hwaddr");
            net.host_name = str(nic, "host_name");
            net.mtu = num(nic, "mtu");
            net.state = str(nic, "state");
            net.type = str(nic, "type");
            s.network[name] = std::move(net);
        }
    }
    return s;
}

api::Instance instance_from_json(const json& doc) {
    api::Instance i;
    if (!doc.is_object()) return i;
    i.name = str(doc, "name");
    i.description = str(doc, "description");
    if (auto t = str(doc, "type"); !t.empty()) i.type = t;
    i.architecture = str(doc, "architecture");
    i.config = string_map(doc, "config");
    i.devices = device_map(doc, "devices");
    i.expanded_config = string_map(doc, "expanded_config");
    i.expanded_devices = device_map(doc, "expanded_devices");
    i.profiles = string_list(doc, "profiles");
    i.ephemeral = flag(doc, "ephemeral");
    i.stateful = flag(doc, "stateful");
    i.status = str(doc, "status");
    i.status_code = static_cast<int>(num(doc, "status_code", 102));
    i.created_at = str(doc, "created_at");
    i.last_used_at = time_of(doc, "last_used_at");
    if (auto l = str(doc, "location"); !l.empty()) i.location = l;
    if (auto p = str(doc, "project"); !p.empty()) i.project = p;
    if (auto s = doc.find("state"); s != doc.end() && s->is_object()) i.state = instance_state_from_json(*s);
    return i;
}

api::InstanceSnapshot instance_snapshot_from_json(const json& doc) {
    api::InstanceSnapshot s;
    if (!doc.is_object()) return s;
    s.name = str(doc, "name");
    s.description = str(doc, "description");
    s.architecture = str(doc, "architecture");
    s.config = string_map(doc, "config");
    s.devices = device_map(doc, "devices");
    s.expanded_config = string_map(doc, "expanded_config");
    s.expanded_devices = device_map(doc, "expanded_devices");
    s.profiles = string_list(doc, "profiles");
    s.ephemeral = flag(doc, "ephemeral");
    s.stateful = flag(doc, "stateful");
    s.created_at = str(doc, "created_at");
    s.expires_at = time_of(doc, "expires_at");
    s.last_used_at = time_of(doc, "last_used_at");
    s.size = num(doc, "size", -1);
    return s;
}

api::Project project_from_json(const json& doc) {
    api::Project p;
    if (!doc.is_object()) return p;
    p.name = str(doc, "name");
    p.description = str(doc, "description");
    p.config = string_map(doc, "config");
    p.used_by = string_list(doc, "used_by");
    return p;
}

api::Operation operation_from_json(const json& doc) {
    api::Operation op;
    if (!doc.is_object()) return op;
    op.id = str(doc, "id");
    if (auto c = str(doc, "class"); !c.empty()) op.class_ = c;
    op.description = str(doc, "description");
    op.created_at = str(doc, "created_at");
    op.updated_at = str(doc, "updated_at");
    op.status = str(doc, "status");
    op.status_code = static_cast<int>(num(doc, "status_code", 105));
    if (auto r = doc.find("resources"); r != doc.end() && r->is_object())
        for (const auto& [kind, urls] : r->items()) op.resources[kind] = string_list(json{{"u", urls}}, "u");
    // Non-string metadata (exec's fds, a return code) is kept as its JSON text.
    op.metadata = string_map(doc, "metadata");
    op.may_cancel = flag(doc, "may_cancel");
    op.err = str(doc, "err");
    if (auto l = str(doc, "location"); !l.empty()) op.location = l;
    if (auto p = str(doc, "project"); !p.empty()) op.project = p;
    return op;
}

api::InstancePut instance_put_of(const api::Instance& i) {
    return api::InstancePut{i.architecture, i.config, i.devices, i.profiles, i.ephemeral, i.description};
}

}  // namespace li::rest
