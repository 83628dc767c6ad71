#pragma once
// The C ABI of a project's named documents with ETags (profiles, networks): create, get, list,
// update, rename and delete are the same calls whatever the store, so each section's functions
// are one line naming its store and its document parsers.

#include "capi_internal.hpp"

namespace li::capi::named {

/// store_of(Manager&) gives the store (ProfileStore&, NetworkStore&); parse_post reads a post.
template <class StoreOf, class ParsePost>
int create(char** out_json, li_manager* mgr, const char* project, const char* post_json, const char* post_param,
           li_error** err, StoreOf store_of, ParsePost parse_post) {
    return boundary(err, [&] {
        if (out_json) *out_json = nullptr;
        auto& m = checked(mgr, "mgr");
        auto post = parse_post(required(post_json, post_param));
        auto created = store_of(*m.manager_).create(project_arg(project), post);
        if (out_json) *out_json = to_c_string(li::api::to_json(created));
    });
}

template <class StoreOf>
int get(char** out_json, char** out_etag, li_manager* mgr, const char* project, const char* name, li_error** err,
        StoreOf store_of) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        if (out_etag) *out_etag = nullptr;
        auto& m = checked(mgr, "mgr");
        auto n = required(name, "name");
        auto& store = store_of(*m.manager_);
        auto document = store.get(project_arg(project), n);
        std::string etag = out_etag ? store.etag(project_arg(project), n) : std::string();
        *out_json = to_c_string(li::api::to_json(document));
        if (out_etag) *out_etag = to_c_string(etag);
    });
}

template <class StoreOf>
int list(char** out_json, li_manager* mgr, const char* project, li_error** err, StoreOf store_of) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(store_of(*m.manager_).list(project_arg(project))));
    });
}

template <class StoreOf, class ParsePut>
int update(li_manager* mgr, const char* project, const char* name, const char* put_json, const char* put_param,
           const char* if_match, li_error** err, StoreOf store_of, ParsePut parse_put) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        auto n = required(name, "name");
        auto put = parse_put(required(put_json, put_param));
        store_of(*m.manager_).update(project_arg(project), n, put, or_empty(if_match));
    });
}

template <class StoreOf>
int rename(li_manager* mgr, const char* project, const char* name, const char* new_name, li_error** err, StoreOf store_of) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        store_of(*m.manager_).rename(project_arg(project), required(name, "name"), required(new_name, "new_name"));
    });
}

template <class StoreOf>
int remove(li_manager* mgr, const char* project, const char* name, li_error** err, StoreOf store_of) {
    return boundary(err, [&] {
        auto& m = checked(mgr, "mgr");
        store_of(*m.manager_).remove(project_arg(project), required(name, "name"));
    });
}

/// A JSON view of one named thing: read(Manager&, project, name) gives what to_json takes (a
/// network's state, its leases, ...).
template <class Read>
int view(char** out_json, li_manager* mgr, const char* project, const char* name, li_error** err, Read read) {
    return boundary(err, [&] {
        out_param(out_json, "out_json");
        auto& m = checked(mgr, "mgr");
        *out_json = to_c_string(li::api::to_json(read(*m.manager_, project_arg(project), required(name, "name"))));
    });
}

}  // namespace li::capi::named
