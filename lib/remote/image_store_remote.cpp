// ImageStore's members that talk to image servers: copy_from_remote and refresh (the rest of
// ImageStore is in image/image_store.cpp).
#include <fmt/format.h>

#include "client/rest_images_files.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operations.hpp"
#include "libinstance/error.hpp"
#include "libinstance/image.hpp"
#include "remote/image_pull.hpp"
#include "project/project_scope.hpp"

namespace li {

namespace {

Operation run_remote_op(const std::shared_ptr<ManagerCore>& core, const std::string& project, const char* description,
                        bool async, std::function<void(OperationContext&)> work) {
    OperationSpec spec{description, project, {{"images", {}}}, true};
    return core->operations().run(spec, std::move(work), async, core);
}

std::string fingerprint_in(const Operation& op) {
    op.get();
    return op.info().metadata.at("fingerprint");
}

}  // namespace

api::Image ImageStore::copy_from_remote(std::string_view project, const api::ImagesPost& post) {
    if (auto rest = core_->rest()) return rest::get_image(rest, project, rest::image_fingerprint_of(rest::copy_image_from_server(rest, project, post)));
    return get(project, fingerprint_in(copy_from_remote_async_impl(project, post, false)));
}

Operation ImageStore::copy_from_remote_async(std::string_view project, const api::ImagesPost& post) {
    if (auto rest = core_->rest()) return rest::copy_image_from_server(rest, project, post);
    return copy_from_remote_async_impl(project, post, true);
}

Operation ImageStore::copy_from_remote_async_impl(std::string_view project_in, const api::ImagesPost& post, bool async) {
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    validate_images_post(*core_, project, post);
    auto core = core_;
    return run_remote_op(core_, project, "Downloading image", async, [core, project, post](OperationContext& ctx) {
        try {
            pull_image(core, project, post, ctx);
        } catch (const Error& e) {
            std::string what = post.source.alias.empty() ? post.source.fingerprint : post.source.alias;
            throw e.with_context(fmt::format("copying image \"{}\" from {}", what, post.source.server));
        }
    });
}

api::Image ImageStore::refresh(std::string_view project, std::string_view ref) {
    if (auto rest = core_->rest()) {
        Operation op = rest::refresh_image(rest, project, ref);
        op.get();  // the current image: the refreshed one, or the same when up to date
        auto md = op.info().metadata;
        auto it = md.find("fingerprint");
        return rest::get_image(rest, project, it != md.end() && !it->second.empty() ? std::string_view(it->second) : ref);
    }
    return get(project, fingerprint_in(refresh_async_impl(project, ref, false)));
}

Operation ImageStore::refresh_async(std::string_view project, std::string_view ref) {
    if (auto rest = core_->rest()) return rest::refresh_image(rest, project, ref);
    return refresh_async_impl(project, ref, true);
}

Operation ImageStore::refresh_async_impl(std::string_view project_in, std::string_view ref_in, bool async) {
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    std::string ref(ref_in);
    get(project, ref);  // NotFound before any operation exists
    auto core = core_;
    return run_remote_op(core_, project, "Refreshing image", async, [core, project, ref](OperationContext& ctx) {
        bool refreshed = false;
        try {
            refresh_image(core, project, ref, ctx, refreshed);
        } catch (const Error& e) {
            throw e.with_context(fmt::format("refreshing image {}", ref));
        }
        ctx.set_metadata("refreshed", refreshed ? "true" : "false");
    });
}

}  // namespace li
