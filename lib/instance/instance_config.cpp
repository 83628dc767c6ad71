// Instance: configuration changes (update, key-level config, devices).
#include <fmt/format.h>

#include "client/rest_facades.hpp"
#include "api/response_json.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operations.hpp"
#include "instance/instance_update.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"

namespace li {

namespace {
std::function<void(ManagerCore&, InstanceContext&)> update_step(const api::InstancePut& put, std::string_view if_match) {
    return [put, etag = std::string(if_match)](ManagerCore& core, InstanceContext& ctx) { update_instance(core, ctx, put, etag); };
}
}  // namespace

void Instance::update(const api::InstancePut& put, std::string_view if_match) {
    if (auto rest = core_->rest()) return rest::update_instance(rest, project_, name_, put, if_match).get();
    locked_op("Updating instance", false, update_step(put, if_match)).get();
}

Operation Instance::update_async(const api::InstancePut& put, std::string_view if_match) {
    if (auto rest = core_->rest()) return rest::update_instance(rest, project_, name_, put, if_match);
    return locked_op("Updating instance", true, update_step(put, if_match));
}

std::string Instance::etag() const {
    if (auto rest = core_->rest()) return rest::instance_etag(rest, project_, name_);
    return instance_etag(load_instance(*core_, project_, name_).record);
}

void Instance::modify(const std::function<void(api::InstancePut&)>& change) {
    if (auto rest = core_->rest()) return rest::modify_instance(rest, project_, name_, change);
    locked_op("Updating instance", false, [change](ManagerCore& core, InstanceContext& ctx) {
        api::InstancePut put = put_of(ctx.loaded.record);
        change(put);
        update_instance(core, ctx, std::move(put), {});
    }).get();
}

void Instance::set_config(const api::ConfigMap& values) {
    modify([&](api::InstancePut& put) {
        for (const auto& [key, value] : values) {
            if (value.empty()) put.config.erase(key);
            else put.config[key] = value;
        }
    });
}

void Instance::set_config(std::string_view key, std::string_view value) { set_config(api::ConfigMap{{std::string(key), std::string(value)}}); }

void Instance::unset_config(std::string_view key) {
    modify([&](api::InstancePut& put) {
        if (put.config.erase(std::string(key)) == 0)
            throw Error(ErrorCode::NotFound, fmt::format("configuration key \"{}\" is not set on instance \"{}\"", key, name_), "config." + std::string(key));
    });
}

std::optional<std::string> Instance::get_config(std::string_view key) const {
    auto record = core_->rest() ? rest::instance_put_of(info()) : put_of(load_instance(*core_, project_, name_).record);
    auto it = record.config.find(std::string(key));
    if (it == record.config.end()) return std::nullopt;
    return it->second;
}

void Instance::add_device(std::string_view name, const api::ConfigMap& device) {
    modify([&](api::InstancePut& put) {
        if (put.devices.count(std::string(name)))
            throw Error(ErrorCode::AlreadyExists, fmt::format("device \"{}\" already exists on instance \"{}\"", name, name_), "devices." + std::string(name));
        put.devices[std::string(name)] = device;
    });
}

void Instance::set_device(std::string_view name, const api::ConfigMap& device) {
    modify([&](api::InstancePut& put) { put.devices[std::string(name)] = device; });
}

void Instance::remove_device(std::string_view name) {
    modify([&](api::InstancePut& put) {
        if (put.devices.erase(std::string(name)) == 0)
            throw Error(ErrorCode::NotFound, fmt::format("device \"{}\" not found on instance \"{}\" (a device from a profile is removed by masking it with type none)", name, name_), "devices." + std::string(name));
    });
}

}  // namespace li
