// C ABI: managed networks (create, get, list, update, rename, delete, state, leases).

#include "capi_internal.hpp"
#include "named_documents.hpp"
#include "libinstance/network.hpp"

namespace named = li::capi::named;

namespace {
constexpr auto networks_of = [](li::Manager& m) -> auto& { return m.networks(); };
}  // namespace

extern "C" {

int li_network_create_json(char** out_json, li_manager* mgr, const char* project, const char* networks_post_json,
                           li_error** err) {
    return named::create(out_json, mgr, project, networks_post_json, "networks_post_json", err, networks_of,
                         [](std::string_view json) { return li::api::networks_post_from_json(json); });
}

int li_network_get_json(char** out_json, char** out_etag, li_manager* mgr, const char* project, const char* name,
                        li_error** err) {
    return named::get(out_json, out_etag, mgr, project, name, err, networks_of);
}

int li_network_list_json(char** out_json, li_manager* mgr, const char* project, li_error** err) {
    return named::list(out_json, mgr, project, err, networks_of);
}

int li_network_update_json(li_manager* mgr, const char* project, const char* name, const char* network_put_json,
                           const char* if_match, li_error** err) {
    return named::update(mgr, project, name, network_put_json, "network_put_json", if_match, err, networks_of,
                         [](std::string_view json) { return li::api::network_put_from_json(json); });
}

int li_network_rename(li_manager* mgr, const char* project, const char* name, const char* new_name, li_error** err) {
    return named::rename(mgr, project, name, new_name, err, networks_of);
}

int li_network_delete(li_manager* mgr, const char* project, const char* name, li_error** err) {
    return named::remove(mgr, project, name, err, networks_of);
}

int li_network_state_json(char** out_json, li_manager* mgr, const char* project, const char* name, li_error** err) {
    return named::view(out_json, mgr, project, name, err,
                       [](li::Manager& m, std::string_view p, std::string_view n) { return m.networks().state(p, n); });
}

int li_network_leases_json(char** out_json, li_manager* mgr, const char* project, const char* name, li_error** err) {
    return named::view(out_json, mgr, project, name, err,
                       [](li::Manager& m, std::string_view p, std::string_view n) { return m.networks().leases(p, n); });
}

}  // extern "C"
