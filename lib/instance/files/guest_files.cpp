#include "instance/files/guest_files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "instance/drivers/qemu/agent_client.hpp"
#include "instance/files/root_files.hpp"
#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li::files {

namespace fs = std::filesystem;

namespace {

// The guest path as the agent takes it: absolute and normalised, checked like a container path.
std::string guest_path(std::string_view path) { return "/" + relative_path(path); }

std::string child_of(const std::string& dir, const std::string& name) { return dir == "/" ? "/" + name : dir + "/" + name; }

}  // namespace

GuestFiles::GuestFiles(std::shared_ptr<VmAgentClient> agent) : agent_(std::move(agent)) {}

void GuestFiles::push(std::string_view path, int src_fd, const FileOptions& opts) { agent_->write_file(guest_path(path), src_fd, opts); }

FileInfo GuestFiles::pull(std::string_view path, int out_fd) {
    std::string p = guest_path(path);
    FileInfo info = agent_->stat(p);
    if (out_fd >= 0 && info.type == "file") agent_->read_file(p, out_fd);
    return info;
}

void GuestFiles::remove(std::string_view path) { agent_->remove(guest_path(path)); }

void GuestFiles::mkdir(std::string_view path, const FileOptions& opts) { agent_->mkdir(guest_path(path), opts); }

void GuestFiles::symlink(std::string_view path, std::string_view target, const FileOptions& opts) {
    agent_->symlink(guest_path(path), std::string(target), opts);
}

void GuestFiles::push_tree(const fs::path& source, std::string_view path, const FileOptions& opts) {
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error::invalid("source", fmt::format("{} is not a directory", source.string()));
    std::string top = guest_path(path);
    FileOptions dir_opts = opts;
    dir_opts.mode = opts.mode.value_or(st.st_mode & 07777);
    dir_opts.create_parents = true;
    try {
        agent_->mkdir(top, dir_opts);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::AlreadyExists) throw;
    }
    for (const auto& entry : fs::directory_iterator(source)) push_entry(entry.path(), child_of(top, entry.path().filename().string()), opts);
}

void GuestFiles::push_entry(const fs::path& source, const std::string& path, const FileOptions& opts) {
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0) throw Error::from_errno(fmt::format("reading {}", source.string()), errno);
    FileOptions o = opts;
    o.mode = opts.mode.value_or(st.st_mode & 07777);
    if (S_ISDIR(st.st_mode)) {
        try {
            agent_->mkdir(path, o);
        } catch (const Error& e) {
            if (e.code() != ErrorCode::AlreadyExists) throw;
        }
        for (const auto& entry : fs::directory_iterator(source)) push_entry(entry.path(), child_of(path, entry.path().filename().string()), opts);
    } else if (S_ISREG(st.st_mode)) {
        UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        if (!in) throw Error::from_errno(fmt::format("opening {}", source.string()), errno);
        agent_->write_file(path, in.get(), o);
    } else if (S_ISLNK(st.st_mode)) {
        agent_->symlink(path, fs::read_symlink(source).string(), o);
    }
}

void GuestFiles::pull_tree(std::string_view path, const fs::path& target) { pull_entry(guest_path(path), target); }

void GuestFiles::pull_entry(const std::string& path, const fs::path& target) {
    FileInfo info = agent_->stat(path);
    if (info.type == "symlink") {
        std::error_code ec;
        fs::remove(target, ec);
        fs::create_symlink(info.target, target);
    } else if (info.type == "directory") {
        fs::create_directories(target);
        ::chmod(target.c_str(), info.mode);
        for (const auto& name : info.entries) pull_entry(child_of(path, name), target / name);
    } else {
        UniqueFd out(::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!out) throw Error::from_errno(fmt::format("creating {}", target.string()), errno);
        agent_->read_file(path, out.get());
        ::fchmod(out.get(), info.mode);
    }
}

}  // namespace li::files
