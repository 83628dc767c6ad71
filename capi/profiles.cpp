// C ABI: profiles (create, get, list, update, rename, delete).

#include "capi_internal.hpp"
#include "named_documents.hpp"

namespace named = li::capi::named;

namespace {
constexpr auto profiles_of = [](li::Manager& m) -> auto& { return m.profiles(); };
}  // namespace

extern "C" {

int li_profile_create_json(char** out_json, li_manager* mgr, const char* project, const char* profiles_post_json,
                           li_error** err) {
    return named::create(out_json, mgr, project, profiles_post_json, "profiles_post_json", err, profiles_of,
                         [](std::string_view json) { return li::api::profiles_post_from_json(json); });
}

int li_profile_get_json(char** out_json, char** out_etag, li_manager* mgr, const char* project, const char* name,
                        li_error** err) {
    return named::get(out_json, out_etag, mgr, project, name, err, profiles_of);
}

int li_profile_list_json(char** out_json, li_manager* mgr, const char* project, li_error** err) {
    return named::list(out_json, mgr, project, err, profiles_of);
}

int li_profile_update_json(li_manager* mgr, const char* project, const char* name, const char* profile_put_json,
                           const char* if_match, li_error** err) {
    return named::update(mgr, project, name, profile_put_json, "profile_put_json", if_match, err, profiles_of,
                         [](std::string_view json) { return li::api::profile_put_from_json(json); });
}

int li_profile_rename(li_manager* mgr, const char* project, const char* name, const char* new_name, li_error** err) {
    return named::rename(mgr, project, name, new_name, err, profiles_of);
}

int li_profile_delete(li_manager* mgr, const char* project, const char* name, li_error** err) {
    return named::remove(mgr, project, name, err, profiles_of);
}

}  // extern "C"
