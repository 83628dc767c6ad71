// Instance::rename and Instance::move_to_pool: the facade over instance_copy's moves.
#include <fmt/format.h>

#include "client/rest_facades.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operations.hpp"
#include "instance/instance_copy.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"

namespace li {

void Instance::rename(std::string_view new_name) {
    if (auto rest = core_->rest()) return rest::rename_instance(rest, project_, name_, new_name), void(name_ = new_name);
    std::string to(new_name);
    auto core = core_;
    std::string project = project_, name = name_;
    OperationSpec spec{"Renaming instance", project, {{"instances", {api_source("instances", name, project)}}}, false};
    core_->operations().run(spec, [core, project, name, to](OperationContext&) { rename_instance(*core, project, name, to); },
                            false, core_).get();
    name_ = to;
}

void Instance::move_to_pool(std::string_view pool) { move_to_pool_impl(pool, false).get(); }
Operation Instance::move_to_pool_async(std::string_view pool) { return move_to_pool_impl(pool, true); }

Operation Instance::move_to_pool_impl(std::string_view pool_in, bool async) {
    if (auto rest = core_->rest()) {
        Operation op = rest::move_instance_to_pool(rest, project_, name_, pool_in);
        if (!async) op.get();
        return op;
    }
    auto core = core_;
    std::string project = project_, name = name_, pool(pool_in);
    // An unknown pool is refused at once, not in the operation: a server then answers 404.
    try {
        (void)core_->pool(pool);
    } catch (const Error&) {
        throw Error(ErrorCode::NotFound, fmt::format("storage pool \"{}\" not found", pool), "pool");
    }
    OperationSpec spec{"Moving instance", project, {{"instances", {api_source("instances", name, project)}}}, true};
    return core_->operations().run(spec, [core, project, name, pool](OperationContext& ctx) {
        try {
            move_instance_to_pool(*core, project, name, pool, ctx);
        } catch (const Error& e) {
            throw e.with_context(fmt::format("moving {} to storage pool {}", name, pool));
        }
    }, async, core_);
}

}  // namespace li
