#include "file_routes.hpp"

// LXD's file API on the library's Instance::file_* calls, which resolve every path inside the
// instance's root (a symlink pointing outside, or "..", cannot reach the host).
//
// Bodies: a pushed file over 1 MiB (or sent chunked, as lxc does) arrives in a scratch file the
// session streamed it to, and is pushed from there; a pulled file is copied into a scratch file
// and sent from it as it is read. Neither is ever whole in memory.
//
// Header semantics follow LXD 5.0.2 (../shared/lxd-api-pitfalls.md #41): X-LXD-uid, -gid and
// -mode apply only to what the request creates; an existing file keeps its owner and mode.

#include <cerrno>
#include <charconv>
#include <climits>
#include <fmt/format.h>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include "body_files.hpp"
#include "daemon.hpp"
#include "instance_routes.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"
#include "sys/unique_fd.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

// The path query parameter, absolute as the library wants it (lxc sends some without the
// leading "/"; LXD prepends it).
std::string path_param(const Call& call) {
    auto it = call.query.find("path");
    if (it == call.query.end() || it->second.empty()) throw Error::invalid("path", "query parameter \"path\" is required");
    return it->second.starts_with('/') ? it->second : "/" + it->second;
}

// A header's number, or nullopt when absent or negative (LXD reads -1 as "not given").
// base 0 reads the mode's leading 0 as octal, as strconv.ParseInt(s, 0, 0) does.
std::optional<uint32_t> number_header(const Call& call, const char* name, int base, uint64_t max) {
    auto it = call.request.find(name);
    if (it == call.request.end()) return std::nullopt;
    std::string text(it->value());
    if (text.empty()) return std::nullopt;
    if (text.starts_with('-')) {
        int64_t v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
        if (ec == std::errc() && end == text.data() + text.size()) return std::nullopt;
    } else {
        const char* begin = text.data();
        const char* stop = text.data() + text.size();
        int b = base;
        if (base == 0) {
            b = 10;
            if (text.size() > 2 && (text[1] == 'o' || text[1] == 'O') && text[0] == '0') begin += 2, b = 8;
            else if (text.size() > 1 && text[0] == '0') begin += 1, b = 8;
        }
        uint64_t v = 0;
        auto [end, ec] = std::from_chars(begin, stop, v, b);
        if ((ec == std::errc() && end == stop && v <= max) || (begin == stop && b == 8)) return static_cast<uint32_t>(v);
    }
    throw Error::invalid(name, fmt::format("header {} has an invalid value \"{}\"", name, text));
}

std::string header_or(const Call& call, const char* name, const std::string& fallback) {
    auto it = call.request.find(name);
    return it == call.request.end() || it->value().empty() ? fallback : std::string(it->value());
}

template <class Message>
void set_file_headers(Message& res, const FileInfo& info) {
    res.set("X-LXD-type", info.type);
    res.set("X-LXD-uid", std::to_string(info.uid));
    res.set("X-LXD-gid", std::to_string(info.gid));
    res.set("X-LXD-mode", fmt::format("{:04o}", info.mode));
}

// A symlink's target as LXD answers it: absolute and lexically cleaned (Go's filepath.Join), a
// relative one taken from the link's directory. Only a description: nothing is resolved here.
std::string absolute_target(const std::string& path, const std::string& target) {
    std::string joined = target.starts_with('/') ? target : path.substr(0, path.find_last_of('/')) + "/" + target;
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= joined.size()) {
        size_t end = joined.find('/', pos);
        if (end == std::string::npos) end = joined.size();
        std::string part = joined.substr(pos, end - pos);
        pos = end + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (const auto& part : parts) out += "/" + part;
    return out.empty() ? "/" : out;
}

// A regular file's content copied into a scratch file (held until the answer is sent); a
// directory's or symlink's description only.
std::pair<FileInfo, std::shared_ptr<ScratchPath>> pull_into_scratch(Daemon& daemon, Instance& instance, const std::string& path) {
    auto scratch = std::make_shared<ScratchPath>(daemon, ".pull");
    UniqueFd fd(::open(scratch->path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) throw Error::from_errno("creating " + scratch->path().string(), errno);
    FileInfo info = instance.file_pull(path, fd.get());
    return {info, scratch};
}

std::optional<FileInfo> stat_if_present(Instance& instance, const std::string& path) {
    try {
        return instance.file_stat(path);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound) return std::nullopt;
        throw;
    }
}

Reply get_file(Daemon& daemon, const Call& call) {
    Instance instance = daemon.manager().instances().get(call.project(), call.params.at("name"));
    std::string path = path_param(call);
    auto [info, scratch] = pull_into_scratch(daemon, instance, path);
    if (info.type == "file") {
        FileResponse res = file_response(scratch->path(), "application/octet-stream", {}, scratch);
        set_file_headers(res.message, info);
        return res;
    }
    Response res = info.type == "directory" ? sync_response(info.entries) : raw_response(absolute_target(path, info.target));
    set_file_headers(res, info);
    return res;
}

Reply post_file(Daemon& daemon, const Call& call) {
    Instance instance = daemon.manager().instances().get(call.project(), call.params.at("name"));
    std::string path = path_param(call);
    std::string type = header_or(call, "X-LXD-type", "file");
    std::string write = header_or(call, "X-LXD-write", "overwrite");
    FileOptions opts;
    opts.uid = number_header(call, "X-LXD-uid", 10, UINT32_MAX);
    opts.gid = number_header(call, "X-LXD-gid", 10, UINT32_MAX);
    opts.mode = number_header(call, "X-LXD-mode", 0, 07777);
    if (type != "file" && type != "directory" && type != "symlink")
        throw Error::invalid("X-LXD-type", fmt::format("X-LXD-type \"{}\" is not one of file, directory, symlink", type));
    if (write != "overwrite" && write != "append")
        throw Error::invalid("X-LXD-write", fmt::format("X-LXD-write \"{}\" is not one of overwrite, append", write));

    std::optional<FileInfo> existing = stat_if_present(instance, path);
    if (type == "file") {
        // The library replaces a file atomically (write, then rename) and has no append.
        if (write == "append")
            throw Error(ErrorCode::NotSupported, "X-LXD-write: append is not supported by this server", "X-LXD-write");
        if (existing && existing->type == "file") opts = FileOptions{};  // keeps its owner and mode
        if (call.upload) {
            UniqueFd fd(::open(call.upload->path().c_str(), O_RDONLY | O_CLOEXEC));
            if (!fd) throw Error::from_errno("reading the uploaded file", errno);
            instance.file_push(path, fd.get(), opts);
        } else {
            instance.file_push_data(path, call.request.body(), opts);
        }
    } else if (type == "directory") {
        if (existing) {
            if (existing->type != "directory")
                throw Error(ErrorCode::AlreadyExists, fmt::format("{} exists and is not a directory", path), "path");
            // An existing directory is left as it is (LXD 5.0.2).
        } else {
            if (!opts.mode) opts.mode = 0750;  // LXD's default for new directories
            instance.file_mkdir(path, opts);
        }
    } else {
        std::string target = body_text(call, PATH_MAX);  // lxc sends it chunked, so it may come as a file
        if (existing) {
            if (existing->type != "symlink")
                throw Error(ErrorCode::AlreadyExists, fmt::format("{} exists and is not a symlink", path), "path");
            instance.file_delete(path);  // a symlink pushed again points at its new target
        }
        instance.file_symlink(path, target, opts);
    }
    return sync_response(json::object());  // exactly 200: pylxd's files.put insists on it
}

Reply delete_file(Daemon& daemon, const Call& call) {
    Instance instance = daemon.manager().instances().get(call.project(), call.params.at("name"));
    instance.file_delete(path_param(call));
    return sync_response(json::object());
}

}  // namespace

void add_file_routes(Router& router, Daemon& daemon) {
    add_instance_route(router, http::verb::get, "/{name}/files", [&daemon](const Call& call) { return get_file(daemon, call); });
    add_instance_route(router, http::verb::post, "/{name}/files", [&daemon](const Call& call) { return post_file(daemon, call); });
    add_instance_route(router, http::verb::delete_, "/{name}/files", [&daemon](const Call& call) { return delete_file(daemon, call); });
}

}  // namespace li::daemon
