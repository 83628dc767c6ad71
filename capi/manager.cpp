// C ABI: li_manager, one open state directory.

#include <filesystem>

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::has_tag;
using li::capi::out_param;

extern "C" {

int li_manager_open(li_manager** out, const char* state_dir, li_error** err) {
    return boundary(err, [&] {
        out_param(out, "out");
        auto handle = std::make_unique<li_manager>();
        // NULL (or "") asks the core for its default: $LIBINSTANCE_DIR, else /var/lib/libinstance.
        handle->manager_ = li::Manager::open(state_dir == nullptr ? std::filesystem::path{}
                                                                  : std::filesystem::path{state_dir});
        handle->state_dir_ = handle->manager_->state_dir().string();
        *out = handle.release();
    });
}

const char* li_manager_state_dir(const li_manager* mgr) {
    return has_tag(mgr) ? mgr->state_dir_.c_str() : nullptr;
}

void li_manager_free(li_manager* mgr) {
    li::capi::free_handle(mgr);
}

}  // extern "C"
