// Instance::file_*: the instance's root made available (mounted when stopped) under its lock,
// then the work done by RootFiles in the id view that root is mounted with. On a connected
// Manager each call goes to the server (client/rest_files.cpp).
#include <algorithm>
#include <csignal>
#include <pthread.h>
#include <fmt/format.h>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <type_traits>

#include "client/rest_images_files.hpp"
#include "core/event_hub.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "instance/drivers/lxc/lxc_idmap.hpp"
#include "instance/drivers/qemu/qemu_driver.hpp"
#include "instance/files/guest_files.hpp"
#include "instance/files/root_files.hpp"
#include "instance/instance_loader.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "storage/storage_driver.hpp"
#include "sys/mount.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace {

constexpr int kStopped = 102;

enum class Access { Read, Write };

// Runs fn on the instance's root. A stopped instance's volume is mounted for the call (plain
// view) and unmounted after; a running one is used as mounted. The view is found from the owner
// of the root directory itself: the container's root owns '/', so a root owned by the map's
// first host id is a shifted view, one owned by 0 an unshifted one.
template <class Fn>
auto with_root(ManagerCore& core, const std::string& project, const std::string& name, Access access, Fn&& fn) {
    auto lock = core.locks().lock_instance(project, name);
    LoadedInstance loaded = load_instance(core, project, name);
    InstanceSpec spec = spec_of(core, loaded);
    InstanceDriver& driver = core.instance_driver(spec.type);
    if (spec.type == "virtual-machine") {
        // A VM's files are the guest's: its agent does the work (the VM must run).
        files::GuestFiles guest(vm_agent(driver, spec));
        return fn(guest);
    }
    StorageDriver& pool = core.pool(spec.pool);
    VolumeRef volume{VolumeType::Container, project_prefixed_name(project, name)};
    bool stopped = driver.status_code(spec) == kStopped;
    if (stopped) pool.mount_volume(volume);
    struct Unmount {
        StorageDriver* pool;
        VolumeRef vol;
        ~Unmount() {
            if (pool != nullptr) try {
                    pool->unmount_volume(vol);
                } catch (...) {
                }
        }
    } unmount{stopped ? &pool : nullptr, volume};

    std::filesystem::path rootfs = spec.volume_dir / "rootfs";
    struct stat st {};
    if (::stat(rootfs.c_str(), &st) != 0) throw Error::from_errno(fmt::format("inspecting {}", rootfs.string()), errno);
    // The container's own map: isolated containers have a range of their own.
    IdMap map = container_idmap(core, loaded.expanded.config);
    // A shifted view (running, layered volume) shows the container's map, raw.idmap holes
    // included; an isolated map whose root owner differs from the config's gets that owner's
    // range of security.idmap.size's default; the plain view shows container ids unshifted.
    IdMap view = files::unshifted_view(std::min(map.uid.size, map.gid.size));
    if (st.st_uid != 0)
        view = st.st_uid == root_host_uid(map) ? map : IdMap{{st.st_uid, 65536}, {st.st_gid, 65536}, {}};
    files::RootFiles root(rootfs, view);
    // On a shifted view, creating as host root (unmapped there) fails: create as the container's
    // root, then chown to the wanted owner.
    if (access == Access::Write && st.st_uid != 0) {
        using R = decltype(fn(root));
        if constexpr (std::is_void_v<R>) {
            with_fs_ids(root_host_uid(view), root_host_gid(view), [&] { fn(root); });
        } else {
            std::optional<R> out;
            with_fs_ids(root_host_uid(view), root_host_gid(view), [&] { out.emplace(fn(root)); });
            return std::move(*out);
        }
    } else {
        return fn(root);
    }
}

std::string source_of(const std::string& project, const std::string& name) { return api_source("instances", name, project); }

}  // namespace

void Instance::file_push(std::string_view path, int fd, const FileOptions& opts) {
    if (auto rest = core_->rest()) return rest::file_push_fd(rest, project_, name_, path, fd, opts);
    with_root(*core_, project_, name_, Access::Write, [&](auto& root) { root.push(path, fd, opts); });
    core_->events().lifecycle(project_, "instance-file-pushed", source_of(project_, name_), {{"file-path", std::string(path)}});
}

void Instance::file_push_data(std::string_view path, std::string_view data, const FileOptions& opts) {
    if (auto rest = core_->rest()) return rest::file_push(rest, project_, name_, path, std::string(data), opts);
    // A pipe feeds the streaming path; a writer thread keeps a large buffer from blocking on it.
    Pipe pipe = make_pipe();
    std::exception_ptr writer_error;
    std::thread writer([&] {
        // A push that fails early closes the read end: get EPIPE here instead of a process-wide
        // SIGPIPE (thread-directed, so blocking it in this thread is enough).
        sigset_t pipe_signal;
        sigemptyset(&pipe_signal);
        sigaddset(&pipe_signal, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
        UniqueFd w = std::move(pipe.write);
        size_t off = 0;
        while (off < data.size()) {
            ssize_t n = ::write(w.get(), data.data() + off, data.size() - off);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return;  // the reader gave up; its error is the one reported
            off += static_cast<size_t>(n);
        }
    });
    try {
        file_push(path, pipe.read.get(), opts);
    } catch (...) {
        pipe.read.reset();
        writer.join();
        throw;
    }
    writer.join();
}

FileInfo Instance::file_pull(std::string_view path, int fd) {
    if (auto rest = core_->rest()) return rest::file_pull(rest, project_, name_, path, fd);
    FileInfo info = with_root(*core_, project_, name_, Access::Read, [&](auto& root) { return root.pull(path, fd); });
    core_->events().lifecycle(project_, "instance-file-retrieved", source_of(project_, name_), {{"file-path", std::string(path)}});
    return info;
}

FileInfo Instance::file_stat(std::string_view path) {
    if (auto rest = core_->rest()) return rest::file_pull(rest, project_, name_, path, -1);
    return with_root(*core_, project_, name_, Access::Read, [&](auto& root) { return root.pull(path, -1); });
}

void Instance::file_delete(std::string_view path) {
    if (auto rest = core_->rest()) return rest::file_delete(rest, project_, name_, path);
    with_root(*core_, project_, name_, Access::Write, [&](auto& root) { root.remove(path); });
    core_->events().lifecycle(project_, "instance-file-deleted", source_of(project_, name_), {{"file-path", std::string(path)}});
}

void Instance::file_mkdir(std::string_view path, const FileOptions& opts) {
    if (auto rest = core_->rest()) return rest::file_mkdir(rest, project_, name_, path, opts);
    with_root(*core_, project_, name_, Access::Write, [&](auto& root) { root.mkdir(path, opts); });
    core_->events().lifecycle(project_, "instance-file-pushed", source_of(project_, name_), {{"file-path", std::string(path)}});
}

void Instance::file_symlink(std::string_view path, std::string_view target, const FileOptions& opts) {
    if (auto rest = core_->rest()) return rest::file_symlink(rest, project_, name_, path, target, opts);
    with_root(*core_, project_, name_, Access::Write, [&](auto& root) { root.symlink(path, target, opts); });
    core_->events().lifecycle(project_, "instance-file-pushed", source_of(project_, name_), {{"file-path", std::string(path)}});
}

void Instance::file_push_tree(const std::filesystem::path& source, std::string_view path, const FileOptions& opts) {
    if (auto rest = core_->rest()) return rest::file_push_tree(rest, project_, name_, source, path, opts);
    with_root(*core_, project_, name_, Access::Write, [&](auto& root) { root.push_tree(source, path, opts); });
    core_->events().lifecycle(project_, "instance-file-pushed", source_of(project_, name_), {{"file-path", std::string(path)}});
}

void Instance::file_pull_tree(std::string_view path, const std::filesystem::path& target) {
    if (auto rest = core_->rest()) return rest::file_pull_tree(rest, project_, name_, path, target);
    with_root(*core_, project_, name_, Access::Read, [&](auto& root) { root.pull_tree(path, target); });
    core_->events().lifecycle(project_, "instance-file-retrieved", source_of(project_, name_), {{"file-path", std::string(path)}});
}

}  // namespace li
