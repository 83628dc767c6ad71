// C ABI: publishing an instance as an image (LXD's ImagesPost with an instance source).

#include "api/image_publish_json.hpp"
#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::out_param;
using li::capi::project_arg;
using li::capi::required;
using li::capi::to_c_string;

extern "C" {

int li_image_publish(char** out_json, li_manager* mgr, const char* project, const char* images_post_json, li_error** err) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        auto opts = li::api::image_publish_from_json(required(images_post_json, "images_post_json"));
        *out_json = to_c_string(li::api::to_json(m.manager_->images().publish(project_arg(project), opts)));
    });
}

int li_image_publish_async(li_operation** out, li_manager* mgr, const char* project, const char* images_post_json,
                           li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto& m = checked(mgr, "mgr");
        auto opts = li::api::image_publish_from_json(required(images_post_json, "images_post_json"));
        *out = new li_operation{li_operation::kTag, m.manager_->images().publish_async(project_arg(project), opts)};
    });
}

}  // extern "C"
