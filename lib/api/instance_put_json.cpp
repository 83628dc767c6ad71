// api.InstancePut: the body of a configuration update.
#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/instance.hpp"
#include "libinstance/error.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

InstancePut instance_put_from_json(std::string_view text) {
    json body = jf::parse(text, "instance configuration");
    if (!body.is_object()) throw Error::invalid("body", "the instance configuration must be a JSON object");
    InstancePut put;
    put.architecture = jf::get_string(body, "architecture", "architecture");
    put.description = jf::get_string(body, "description", "description");
    put.ephemeral = jf::get_bool(body, "ephemeral", "ephemeral");
    put.config = jf::get_string_map(body, "config", "config");
    put.devices = jf::get_device_map(body, "devices", "devices");
    put.profiles = jf::get_string_list(body, "profiles", "profiles").value_or(std::vector<std::string>{});
    return put;
}

std::string to_json(const InstancePut& p) {
    return json{{"architecture", p.architecture}, {"config", p.config},       {"devices", p.devices},
                {"profiles", p.profiles},         {"ephemeral", p.ephemeral}, {"description", p.description}}
        .dump();
}

InstancePut put_of(const Instance& i) {
    return InstancePut{i.architecture, i.config, i.devices, i.profiles, i.ephemeral, i.description};
}

}  // namespace li::api
