// Manager methods over the networks section of the C ABI. Documents travel as JSON text; the
// Python package parses it.

#include "bindings.hpp"

namespace li::python {

void init_networks(ManagerClass& cls) {
    cls.def(
        "network_create",
        [](const ManagerHandle& self, const std::string& post_json, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_network_create_json(&json, mgr.get(), c_str_or_null(project), post_json.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("post_json"), py::arg("project") = py::none(),
        "Creates and starts a managed network from a NetworksPost document; returns the network as JSON.");
    cls.def(
        "network_get",
        [](const ManagerHandle& self, const std::string& name, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            char* etag = nullptr;
            call_nogil([&](li_error** err) {
                return li_network_get_json(&json, &etag, mgr.get(), c_str_or_null(project), name.c_str(), err);
            });
            std::string doc = take_string(json);
            return py::make_tuple(doc, take_string(etag));
        },
        py::arg("name"), py::arg("project") = py::none(), "One network as (JSON, ETag).");
    cls.def(
        "network_list",
        [](const ManagerHandle& self, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) { return li_network_list_json(&json, mgr.get(), c_str_or_null(project), err); });
            return take_string(json);
        },
        py::arg("project") = py::none(), "Managed networks and the host's other interfaces as a JSON array.");
    cls.def(
        "network_update",
        [](const ManagerHandle& self, const std::string& name, const std::string& put_json, std::optional<std::string> if_match,
           std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_network_update_json(mgr.get(), c_str_or_null(project), name.c_str(), put_json.c_str(),
                                              c_str_or_null(if_match), err);
            });
        },
        py::arg("name"), py::arg("put_json"), py::arg("if_match") = py::none(), py::arg("project") = py::none(),
        "Replaces a managed network's description and config (NetworkPut JSON); Conflict on a stale ETag.");
    cls.def(
        "network_rename",
        [](const ManagerHandle& self, const std::string& name, const std::string& new_name, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) {
                return li_network_rename(mgr.get(), c_str_or_null(project), name.c_str(), new_name.c_str(), err);
            });
        },
        py::arg("name"), py::arg("new_name"), py::arg("project") = py::none(), "Renames a managed network nothing uses.");
    cls.def(
        "network_delete",
        [](const ManagerHandle& self, const std::string& name, std::optional<std::string> project) {
            auto mgr = self.get();
            call_nogil([&](li_error** err) { return li_network_delete(mgr.get(), c_str_or_null(project), name.c_str(), err); });
        },
        py::arg("name"), py::arg("project") = py::none(), "Deletes a managed network (refused while in use).");
    cls.def(
        "network_state",
        [](const ManagerHandle& self, const std::string& name, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_network_state_json(&json, mgr.get(), c_str_or_null(project), name.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("name"), py::arg("project") = py::none(), "A network's NetworkState as JSON.");
    cls.def(
        "network_leases",
        [](const ManagerHandle& self, const std::string& name, std::optional<std::string> project) {
            auto mgr = self.get();
            char* json = nullptr;
            call_nogil([&](li_error** err) {
                return li_network_leases_json(&json, mgr.get(), c_str_or_null(project), name.c_str(), err);
            });
            return take_string(json);
        },
        py::arg("name"), py::arg("project") = py::none(), "A managed bridge's DHCP leases as a JSON array of NetworkLease.");
}

}  // namespace li::python
