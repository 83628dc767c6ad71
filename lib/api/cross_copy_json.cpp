// JSON of the cross-server copy options (see cross_copy_json.hpp).
#include "api/cross_copy_json.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "api/json_fields.hpp"
#include "libinstance/error.hpp"

namespace li::api {

namespace jf = json_fields;

CrossCopyOptions cross_copy_options_from_json(std::string_view text) {
    CrossCopyOptions opts;
    if (text.empty()) return opts;
    jf::json body = jf::parse_object(text, "options_json");
    static const char* const known[] = {"project", "pool", "instance_only", "profiles", "config",
                                        "devices", "ephemeral", "stateless", "refresh"};
    for (const auto& [key, value] : body.items())
        if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return key == k; }))
            throw Error::invalid(key, fmt::format("unknown copy option \"{}\"", key));
    opts.project = jf::get_string(body, "project", "project");
    opts.pool = jf::get_string(body, "pool", "pool");
    opts.instance_only = jf::get_bool(body, "instance_only", "instance_only");
    opts.profiles = jf::get_string_list(body, "profiles", "profiles");
    opts.config = jf::get_string_map(body, "config", "config");
    opts.devices = jf::get_device_map(body, "devices", "devices");
    opts.ephemeral = jf::get_bool(body, "ephemeral", "ephemeral");
    opts.stateless = jf::get_bool(body, "stateless", "stateless");
    opts.refresh = jf::get_bool(body, "refresh", "refresh");
    return opts;
}

}  // namespace li::api
