// Manager methods over the storage pools section of the C ABI. Documents travel as JSON text; the
// Python package parses it.

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
}

}  // namespace li::python
