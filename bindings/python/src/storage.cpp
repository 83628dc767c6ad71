// Manager methods over the storage pools section of the C ABI. Documents travel as JSON text; the
// Python package parses it.

#include <optional>

#include "bindings.hpp"

namespace li::python {

void init_storage(ManagerClass& cls) {
    cls.def(
        "storage_pool_create",
        [](const ManagerHandle& self, const std::string& post_json) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_storage_pool_create_json(&json, mgr.get(), post_json.c_str(), err); });
            return take_string(json);
        },
        py::arg("post_json"), "Creates a storage pool from a StoragePoolsPost document; returns the pool as JSON.");
    cls.def(
        "storage_pool_list",
        [](const ManagerHandle& self) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_storage_pool_list_json(&json, mgr.get(), err); });
            return take_string(json);
        },
        "All storage pools as a JSON array.");
    cls.def(
        "storage_pool_get",
        [](const ManagerHandle& self, const std::string& name) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_storage_pool_get_json(&json, mgr.get(), name.c_str(), err); });
            return take_string(json);
        },
        py::arg("name"), "One storage pool as JSON.");
    cls.def(
        "storage_pool_delete",
        [](const ManagerHandle& self, const std::string& name) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_storage_pool_delete(mgr.get(), name.c_str(), err); });
        },
        py::arg("name"), "Deletes a storage pool (refused while in use).");
    cls.def(
        "storage_pool_etag",
        [](const ManagerHandle& self, const std::string& name) {
            auto mgr = self.get();
            char* etag = nullptr;
            call_nogil([&](li_error** err) { return li_storage_pool_etag(&etag, mgr.get(), name.c_str(), err); });
            return take_string(etag);
        },
        py::arg("name"), "A storage pool's ETag.");
    cls.def(
        "storage_pool_update",
        [](const ManagerHandle& self, const std::string& name, const std::string& put_json, std::optional<std::string> if_match) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_storage_pool_update_json(mgr.get(), name.c_str(), put_json.c_str(), c_str_or_null(if_match), err);
            });
        },
        py::arg("name"), py::arg("put_json"), py::arg("if_match") = py::none(),
        "Replaces a storage pool's description and config (StoragePoolPut JSON); Conflict on a stale ETag.");
    cls.def(
        "storage_pool_resources",
        [](const ManagerHandle& self, const std::string& name) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_storage_pool_resources_json(&json, mgr.get(), name.c_str(), err); });
            return take_string(json);
        },
        py::arg("name"), "A storage pool's space and inodes (ResourcesStoragePool JSON).");
}

}  // namespace li::python
