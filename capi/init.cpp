// C ABI: li_manager_init, the first-use set-up (a NATed managed bridge and the default
// profile's eth0 on it), with its options and result as JSON.

#include <algorithm>
#include <iterator>

#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "capi_internal.hpp"
#include "libinstance/error.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::to_c_string;

namespace {

namespace jf = li::api::json_fields;

// NULL or "" is all defaults. The options are few and fixed: an unknown one is a typo the caller
// should hear about rather than a set-up silently done with defaults.
li::InitOptions init_options_from_json(const char* text) {
    li::InitOptions opts;
    if (text == nullptr || *text == '\0') return opts;
    jf::json body = jf::parse_object(text, "init_options_json");
    static constexpr const char* known[] = {"network_name", "ipv4_address", "ipv6_address"};
    for (const auto& [key, value] : body.items())
        if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return key == k; }))
            throw li::Error::invalid(key, fmt::format("unknown init option \"{}\" (known: network_name, ipv4_address, ipv6_address)", key));
    // Absent or null keeps the default; "" is meaningful for network_name (no network).
    auto given = [&](const char* key) { return body.contains(key) && !body.at(key).is_null(); };
    if (given("network_name")) opts.network_name = jf::get_string(body, "network_name", "network_name");
    if (given("ipv4_address")) opts.ipv4_address = jf::get_string(body, "ipv4_address", "ipv4_address");
    if (given("ipv6_address")) opts.ipv6_address = jf::get_string(body, "ipv6_address", "ipv6_address");
    return opts;
}

std::string init_result_to_json(const li::InitResult& r) {
    return nlohmann::ordered_json{{"network_created", r.network_created},
                                  {"profile_nic_added", r.profile_nic_added},
                                  {"network_name", r.network_name}}
        .dump();
}

}  // namespace

extern "C" {

int li_manager_init(char** out_json, li_manager* mgr, const char* init_options_json, li_error** err) {
    return boundary(err, [&] {
        if (out_json) *out_json = nullptr;
        auto& m = checked(mgr, "mgr");
        auto result = m.manager_->init(init_options_from_json(init_options_json));
        if (out_json) *out_json = to_c_string(init_result_to_json(result));
    });
}

}  // extern "C"
