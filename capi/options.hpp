#pragma once
// Conversion of the C option structs into the C++ options, shared by the synchronous calls and
// their _async variants so both accept and reject exactly the same input.

#include "capi_internal.hpp"

namespace li::capi {

ImageBuildOptions build_options(const char* builder, const li_image_build_opts* opts);
ImageImportOptions import_options(const li_image_import_opts* opts);
StartOptions start_options(const li_start_opts* opts);
StopOptions stop_options(const li_stop_opts* opts);
DeleteOptions delete_options(const li_delete_opts* opts);
/// The subscription filter; opts may be NULL for every event of the default project.
EventFilter event_filter(const li_subscribe_opts* opts);

}  // namespace li::capi
