// C ABI: an instance's configuration (LXD's PUT with ETag, key-level config, devices).

#include "api/config_map_json.hpp"
#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::or_empty;
using li::capi::out_param;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_instance_update_json(li_instance* inst, const char* instance_put_json, const char* if_match, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        auto put = li::api::instance_put_from_json(required(instance_put_json, "instance_put_json"));
        i.instance_.update(put, or_empty(if_match));
    });
}

int li_instance_update_json_async(li_operation** out, li_instance* inst, const char* instance_put_json,
                                  const char* if_match, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        // Parsed here, so a malformed document fails the call rather than the operation.
        auto put = li::api::instance_put_from_json(required(instance_put_json, "instance_put_json"));
        *out = new li_operation{li_operation::kTag, i.instance_.update_async(put, or_empty(if_match))};
    });
}

int li_instance_etag(char** out, li_instance* inst, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        *out = to_c_string(i.instance_.etag());
    });
}

int li_instance_config_get(char** out, li_instance* inst, const char* key, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& i = checked(inst, "inst");
        if (auto value = i.instance_.get_config(required(key, "key"))) *out = to_c_string(*value);
    });
}

int li_instance_config_set(li_instance* inst, const char* key, const char* value, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.set_config(required(key, "key"), required(value, "value"));
    });
}

int li_instance_config_set_json(li_instance* inst, const char* config_json, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.set_config(li::api::config_map_from_json(required(config_json, "config_json"), "config"));
    });
}

int li_instance_config_unset(li_instance* inst, const char* key, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.unset_config(required(key, "key"));
    });
}

int li_instance_device_add_json(li_instance* inst, const char* name, const char* device_json, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        std::string device_name{required(name, "name")};
        auto device = li::api::config_map_from_json(required(device_json, "device_json"), "devices." + device_name);
        i.instance_.add_device(device_name, device);
    });
}

int li_instance_device_set_json(li_instance* inst, const char* name, const char* device_json, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        std::string device_name{required(name, "name")};
        auto device = li::api::config_map_from_json(required(device_json, "device_json"), "devices." + device_name);
        i.instance_.set_device(device_name, device);
    });
}

int li_instance_device_remove(li_instance* inst, const char* name, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.remove_device(required(name, "name"));
    });
}

}  // extern "C"
