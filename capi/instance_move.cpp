// C ABI: renaming an instance and moving it to another storage pool (copies go through
// li_instance_create_json with a "copy" source; li_instance_move_pool_async is in operations.cpp).

#include "capi_internal.hpp"

using li::capi::boundary;
using li::capi::checked;
using li::capi::required;

extern "C" {

int li_instance_rename(li_instance* inst, const char* new_name, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.rename(required(new_name, "new_name"));
    });
}

int li_instance_move_pool(li_instance* inst, const char* pool, li_error** err) {
    return boundary(err, [&] {
        auto& i = checked(inst, "inst");
        i.instance_.move_to_pool(required(pool, "pool"));
    });
}

}  // extern "C"
