#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/instance.hpp"
#include "libinstance/error.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

std::string_view status_name(int status_code) {
    switch (status_code) {
    case 103: return "Running";
    case 102: return "Stopped";
    case 110: return "Frozen";
    case 112: return "Error";
    case 101: return "Started";
    case 104: return "Cancelling";
    case 105: return "Pending";
    case 106: return "Starting";
    case 107: return "Stopping";
    case 108: return "Aborting";
    case 109: return "Freezing";
    case 111: return "Thawed";
    default: return "Unknown";
    }
}

InstancesPost instances_post_from_json(std::string_view text) {
    json body = jf::parse(text, "instance definition");
    if (!body.is_object()) throw Error::invalid("body", "the instance definition must be a JSON object");
    InstancesPost post;
    post.name = jf::get_string(body, "name", "name");
    post.type = jf::get_string(body, "type", "type");
    if (post.type.empty()) post.type = "container";
    post.description = jf::get_string(body, "description", "description");
    post.ephemeral = jf::get_bool(body, "ephemeral", "ephemeral");
    post.start = jf::get_bool(body, "start", "start");
    post.config = jf::get_string_map(body, "config", "config");
    post.devices = jf::get_device_map(body, "devices", "devices");
    post.profiles = jf::get_string_list(body, "profiles", "profiles");
    if (auto it = body.find("source"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) throw Error::invalid("source", "field \"source\" must be an object");
        post.source.type = jf::get_string(*it, "type", "source.type");
        post.source.alias = jf::get_string(*it, "alias", "source.alias");
        post.source.fingerprint = jf::get_string(*it, "fingerprint", "source.fingerprint");
        post.source.server = jf::get_string(*it, "server", "source.server");
        post.source.protocol = jf::get_string(*it, "protocol", "source.protocol");
        post.source.certificate = jf::get_string(*it, "certificate", "source.certificate");
        post.source.source = jf::get_string(*it, "source", "source.source");
        post.source.project = jf::get_string(*it, "project", "source.project");
        post.source.instance_only = jf::get_bool(*it, "instance_only", "source.instance_only");
    } else {
        post.source.type = "none";
    }
    return post;
}

std::string to_json(const InstancesPost& p) {
    json body{
        {"name", p.name}, {"type", p.type}, {"description", p.description}, {"ephemeral", p.ephemeral},
        {"start", p.start}, {"config", p.config}, {"devices", p.devices},
        {"source", {{"type", p.source.type}, {"alias", p.source.alias}, {"fingerprint", p.source.fingerprint}}},
    };
    if (!p.source.server.empty()) {
        body["source"]["server"] = p.source.server;
        body["source"]["protocol"] = p.source.protocol.empty() ? "simplestreams" : p.source.protocol;
        if (!p.source.certificate.empty()) body["source"]["certificate"] = p.source.certificate;
    }
    if (p.source.type == "copy") {
        body["source"]["source"] = p.source.source;
        body["source"]["instance_only"] = p.source.instance_only;
        if (!p.source.project.empty()) body["source"]["project"] = p.source.project;
    }
    if (p.profiles) body["profiles"] = *p.profiles;
    return body.dump();
}

namespace {

json network_to_json(const InstanceStateNetwork& n) {
    json addresses = json::array();
    for (const auto& a : n.addresses)
        addresses.push_back({{"family", a.family}, {"address", a.address}, {"netmask", a.netmask}, {"scope", a.scope}});
    const auto& c = n.counters;
    return json{
        {"addresses", addresses},
        {"counters", {{"bytes_received", c.bytes_received}, {"bytes_sent", c.bytes_sent},
                      {"packets_received", c.packets_received}, {"packets_sent", c.packets_sent},
                      {"errors_received", c.errors_received}, {"errors_sent", c.errors_sent},
                      {"packets_dropped_outbound", c.packets_dropped_outbound},
                      {"packets_dropped_inbound", c.packets_dropped_inbound}}},
        {"hwaddr", n.hwaddr},
        {"host_name", n.host_name},
        {"mtu", n.mtu},
        {"state", n.state},
        {"type", n.type},
    };
}

json state_to_json(const InstanceState& s) {
    json disk = json::object();
    for (const auto& [name, d] : s.disk) disk[name] = {{"usage", d.usage}};
    // LXD reports no network (null) for a stopped instance.
    json network = nullptr;
    if (!s.network.empty()) {
        network = json::object();
        for (const auto& [name, n] : s.network) network[name] = network_to_json(n);
    }
    json out{
        {"status", s.status},
        {"status_code", s.status_code},
        {"pid", s.pid},
        {"processes", s.processes},
        {"memory", {{"usage", s.memory.usage}, {"usage_peak", s.memory.usage_peak},
                    {"swap_usage", s.memory.swap_usage}, {"swap_usage_peak", s.memory.swap_usage_peak}}},
        {"cpu", {{"usage", s.cpu.usage}}},
        {"disk", disk},
        {"network", network},
    };
    if (!s.accelerator.empty()) out["accelerator"] = s.accelerator;
    return out;
}

json instance_to_json(const Instance& i) {
    json out{
        {"name", i.name},
        {"description", i.description},
        {"type", i.type},
        {"architecture", i.architecture},
        {"config", i.config},
        {"devices", i.devices},
        {"expanded_config", i.expanded_config},
        {"expanded_devices", i.expanded_devices},
        {"profiles", i.profiles},
        {"ephemeral", i.ephemeral},
        {"stateful", i.stateful},
        {"status", i.status},
        {"status_code", i.status_code},
        {"created_at", i.created_at},
        {"last_used_at", i.last_used_at.empty() ? "1970-01-01T00:00:00Z" : i.last_used_at},
        {"location", i.location},
        {"project", i.project},
    };
    if (i.state) {
        out["state"] = state_to_json(*i.state);
        out["snapshots"] = nullptr;
        out["backups"] = nullptr;
    }
    return out;
}

}  // namespace

std::string to_json(const Instance& instance) { return instance_to_json(instance).dump(); }

std::string to_json(const std::vector<Instance>& instances) {
    json out = json::array();
    for (const auto& i : instances) out.push_back(instance_to_json(i));
    return out.dump();
}

std::string to_json(const InstanceState& state) { return state_to_json(state).dump(); }

}  // namespace li::api
