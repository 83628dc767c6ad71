// Instance file calls over li_instance_file_*: push/pull through fds, trees, mkdir, symlink.

#include "bindings.hpp"

namespace li::python {

namespace {

li_file_opts file_opts(int64_t uid, int64_t gid, int32_t mode, bool parents) {
    li_file_opts opts = LI_FILE_OPTS_INIT;
    opts.uid = uid;
    opts.gid = gid;
    opts.mode = mode;
    opts.create_parents = parents ? 1 : 0;
    return opts;
}

}  // namespace

void init_files(InstanceClass& cls) {
    cls.def(
           "file_push",
           [](const InstanceHandle& self, const std::string& path, int fd, int64_t uid, int64_t gid, int32_t mode,
              bool parents) {
               auto inst = self.get();
               auto opts = file_opts(uid, gid, mode, parents);
               call_nogil([&](li_error** err) { return li_instance_file_push(inst.get(), path.c_str(), fd, &opts, err); });
           },
           py::arg("path"), py::arg("fd"), py::arg("uid") = -1, py::arg("gid") = -1, py::arg("mode") = -1,
           py::arg("parents") = false, "Writes path from fd, read to its end (li_instance_file_push).")
        .def(
            "file_push_data",
            [](const InstanceHandle& self, const std::string& path, const py::bytes& data, int64_t uid, int64_t gid,
               int32_t mode, bool parents) {
                auto inst = self.get();
                std::string copy = data;  // owned while the GIL is released
                auto opts = file_opts(uid, gid, mode, parents);
                call_nogil([&](li_error** err) {
                    return li_instance_file_push_data(inst.get(), path.c_str(), copy.data(), copy.size(), &opts, err);
                });
            },
            py::arg("path"), py::arg("data"), py::arg("uid") = -1, py::arg("gid") = -1, py::arg("mode") = -1,
            py::arg("parents") = false, "Writes path from bytes (li_instance_file_push_data).")
        .def(
            "file_pull",
            [](const InstanceHandle& self, const std::string& path, int fd) {
                auto inst = self.get();
                char* out = nullptr;
                call_nogil([&](li_error** err) { return li_instance_file_pull(&out, inst.get(), path.c_str(), fd, err); });
                return take_string(out);
            },
            py::arg("path"), py::arg("fd"), "Streams a file to fd; returns its description as JSON.")
        .def(
            "file_stat_json",
            [](const InstanceHandle& self, const std::string& path) {
                auto inst = self.get();
                char* out = nullptr;
                call_nogil([&](li_error** err) { return li_instance_file_stat_json(&out, inst.get(), path.c_str(), err); });
                return take_string(out);
            },
            py::arg("path"), "Describes path as JSON (a directory's entries, a symlink's target).")
        .def(
            "file_delete",
            [](const InstanceHandle& self, const std::string& path) {
                auto inst = self.get();
                call_nogil([&](li_error** err) { return li_instance_file_delete(inst.get(), path.c_str(), err); });
            },
            py::arg("path"), "Removes a file, a symlink or an empty directory.")
        .def(
            "file_mkdir",
            [](const InstanceHandle& self, const std::string& path, int64_t uid, int64_t gid, int32_t mode, bool parents) {
                auto inst = self.get();
                auto opts = file_opts(uid, gid, mode, parents);
                call_nogil([&](li_error** err) { return li_instance_file_mkdir(inst.get(), path.c_str(), &opts, err); });
            },
            py::arg("path"), py::arg("uid") = -1, py::arg("gid") = -1, py::arg("mode") = -1, py::arg("parents") = false,
            "Creates a directory.")
        .def(
            "file_symlink",
            [](const InstanceHandle& self, const std::string& path, const std::string& target, int64_t uid, int64_t gid) {
                auto inst = self.get();
                auto opts = file_opts(uid, gid, -1, false);
                call_nogil([&](li_error** err) {
                    return li_instance_file_symlink(inst.get(), path.c_str(), target.c_str(), &opts, err);
                });
            },
            py::arg("path"), py::arg("target"), py::arg("uid") = -1, py::arg("gid") = -1, "Creates a symlink.")
        .def(
            "file_push_tree",
            [](const InstanceHandle& self, const std::string& source, const std::string& path, int64_t uid, int64_t gid,
               int32_t mode) {
                auto inst = self.get();
                auto opts = file_opts(uid, gid, mode, true);
                call_nogil([&](li_error** err) {
                    return li_instance_file_push_tree(inst.get(), source.c_str(), path.c_str(), &opts, err);
                });
            },
            py::arg("source"), py::arg("path"), py::arg("uid") = -1, py::arg("gid") = -1, py::arg("mode") = -1,
            "Copies a host directory's content into path.")
        .def(
            "file_pull_tree",
            [](const InstanceHandle& self, const std::string& path, const std::string& target) {
                auto inst = self.get();
                call_nogil([&](li_error** err) {
                    return li_instance_file_pull_tree(inst.get(), path.c_str(), target.c_str(), err);
                });
            },
            py::arg("path"), py::arg("target"), "Copies path (a directory's content, or a file) to a host path.");
}

}  // namespace li::python
