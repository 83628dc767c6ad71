// Instance files over REST: GET/POST/DELETE /1.0/instances/<name>/files?path=..., with LXD's
// X-LXD-type/uid/gid/mode headers. A body travels whole in memory (RestTransport::request_raw),
// so files over 64 MiB are refused with NotSupported naming the path.
#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <atomic>
#include <fstream>
#include <random>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

#include "client/rest_images_files.hpp"
#include "client/rest_operation.hpp"
#include "core/operation_state.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxFileBytes = size_t{64} << 20;

std::string files_path(std::string_view project, std::string_view name, std::string_view path) {
    return with_project(fmt::format("/1.0/instances/{}/files?path={}", url_escape(name), url_escape(path)), project);
}

void check_path(std::string_view path) {
    if (path.empty() || path.front() != '/')
        throw Error::invalid("path", fmt::format("\"{}\" is not an absolute path inside the instance", path));
}

std::map<std::string, std::string> create_headers(const char* type, const FileOptions& opts) {
    std::map<std::string, std::string> headers{{"X-LXD-type", type}};
    if (opts.uid) headers["X-LXD-uid"] = std::to_string(*opts.uid);
    if (opts.gid) headers["X-LXD-gid"] = std::to_string(*opts.gid);
    if (opts.mode) headers["X-LXD-mode"] = fmt::format("{:04o}", *opts.mode);
    return headers;
}

uint32_t number(const RestRawResponse& raw, const char* header, int base) {
    std::string text = raw.header(header);
    if (text.empty()) return 0;
    try {
        return static_cast<uint32_t>(std::stoul(text, nullptr, base));
    } catch (const std::exception&) {
        throw Error(ErrorCode::Backend, fmt::format("the server sent {}: \"{}\", not a number", header, text));
    }
}

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::from_errno("writing the pulled file", errno);
        data.remove_prefix(static_cast<size_t>(n));
    }
}

// GET of a file's content; the transport's 64 MiB limit becomes an error naming the path.
RestRawResponse get_file(const Rest& rest, std::string_view project, std::string_view name, std::string_view path) {
    try {
        return rest->request_raw("GET", files_path(project, name, path), {}, {});
    } catch (const Error& e) {
        if (e.code() != ErrorCode::Backend || std::string_view(e.what()).find("larger than 64 MiB") == std::string_view::npos) throw;
        throw Error(ErrorCode::NotSupported, fmt::format("{}: files over 64 MiB cannot be pulled from a remote yet", path), "path");
    }
}

// Missing parents of path made as LXD's client does (lxc file push -p): one directory at a time.
void create_parents(const Rest& rest, std::string_view project, std::string_view name, std::string_view path,
                    const FileOptions& opts) {
    FileOptions dir_opts{opts.uid, opts.gid, 0755, false};
    std::string parent(path.substr(0, path.rfind('/')));
    std::vector<std::string> missing;
    while (!parent.empty()) {
        try {
            file_pull(rest, project, name, parent, -1);
            break;
        } catch (const Error& e) {
            if (e.code() != ErrorCode::NotFound) throw;
        }
        missing.push_back(parent);
        parent = parent.substr(0, parent.rfind('/'));
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) file_mkdir(rest, project, name, *it, dir_opts);
}

}  // namespace

void file_push(const Rest& rest, std::string_view project, std::string_view name, std::string_view path, std::string data,
               const FileOptions& opts) {
    check_path(path);
    if (data.size() > kMaxFileBytes)
        throw Error(ErrorCode::NotSupported,
                    fmt::format("{} is {} bytes: files over 64 MiB cannot be pushed to a remote yet", path, data.size()), "path");
    if (opts.create_parents) create_parents(rest, project, name, path, opts);
    auto headers = create_headers("file", opts);
    headers["X-LXD-write"] = "overwrite";
    rest->request_raw("POST", files_path(project, name, path), std::move(data), "application/octet-stream", headers);
}

void file_push_fd(const Rest& rest, std::string_view project, std::string_view name, std::string_view path, int fd,
                  const FileOptions& opts) {
    std::string data;
    char buffer[65536];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::from_errno("reading the file to push", errno);
        if (n == 0) break;
        data.append(buffer, static_cast<size_t>(n));
        if (data.size() > kMaxFileBytes)
            throw Error(ErrorCode::NotSupported, fmt::format("{}: files over 64 MiB cannot be pushed to a remote yet", path), "path");
    }
    file_push(rest, project, name, path, std::move(data), opts);
}

FileInfo file_pull(const Rest& rest, std::string_view project, std::string_view name, std::string_view path, int fd) {
    check_path(path);
    auto raw = get_file(rest, project, name, path);
    FileInfo info;
    info.type = raw.header("x-lxd-type");
    if (info.type.empty()) info.type = "file";
    info.uid = number(raw, "x-lxd-uid", 10);
    info.gid = number(raw, "x-lxd-gid", 10);
    info.mode = number(raw, "x-lxd-mode", 8);
    if (info.type == "directory") {
        json doc = json::parse(raw.body, nullptr, false);
        if (doc.is_object() && doc.contains("metadata") && doc["metadata"].is_array())
            for (const auto& entry : doc["metadata"])
                if (entry.is_string()) info.entries.push_back(entry.get<std::string>());
        std::sort(info.entries.begin(), info.entries.end());
    } else if (info.type == "symlink") {
        info.target = raw.body;
    } else {
        info.size = raw.body.size();
        if (fd >= 0) write_all(fd, raw.body);
    }
    return info;
}

void file_delete(const Rest& rest, std::string_view project, std::string_view name, std::string_view path) {
    check_path(path);
    rest->request("DELETE", files_path(project, name, path));
}

void file_mkdir(const Rest& rest, std::string_view project, std::string_view name, std::string_view path, const FileOptions& opts) {
    check_path(path);
    if (opts.create_parents) create_parents(rest, project, name, path, opts);
    FileOptions dir_opts = opts;
    if (!dir_opts.mode) dir_opts.mode = 0755;  // the library's default (LXD's server picks 0750)
    rest->request_raw("POST", files_path(project, name, path), {}, {}, create_headers("directory", dir_opts));
}

void file_symlink(const Rest& rest, std::string_view project, std::string_view name, std::string_view path,
                  std::string_view target, const FileOptions& opts) {
    check_path(path);
    if (target.empty()) throw Error::invalid("target", "a symlink needs a target");
    if (opts.create_parents) create_parents(rest, project, name, path, opts);
    rest->request_raw("POST", files_path(project, name, path), std::string(target), "application/octet-stream",
                      create_headers("symlink", opts));
}

void file_push_tree(const Rest& rest, std::string_view project, std::string_view name, const fs::path& source,
                    std::string_view path, const FileOptions& opts) {
    check_path(path);
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0) throw Error(ErrorCode::NotFound, fmt::format("{} not found", source.string()), "source");
    FileOptions own = opts;
    if (!own.mode) own.mode = st.st_mode & 07777;  // modes are kept, as the local copy does
    if (S_ISLNK(st.st_mode)) return file_symlink(rest, project, name, path, fs::read_symlink(source).string(), own);
    if (S_ISREG(st.st_mode)) {
        std::ifstream in(source, std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return file_push(rest, project, name, path, std::move(data), own);
    }
    if (!S_ISDIR(st.st_mode)) return;  // devices, sockets and fifos are not copied
    try {
        if (file_pull(rest, project, name, path, -1).type != "directory")
            throw Error(ErrorCode::AlreadyExists, fmt::format("{} exists and is not a directory", path), "path");
    } catch (const Error& e) {
        if (e.code() != ErrorCode::NotFound) throw;
        file_mkdir(rest, project, name, path, own);
    }
    FileOptions children = opts;
    children.create_parents = false;
    for (const auto& entry : fs::directory_iterator(source)) {
        std::string child = std::string(path) + (path.ends_with('/') ? "" : "/") + entry.path().filename().string();
        file_push_tree(rest, project, name, entry.path(), child, children);
    }
}

void file_pull_tree(const Rest& rest, std::string_view project, std::string_view name, std::string_view path,
                    const fs::path& target) {
    check_path(path);
    auto raw = get_file(rest, project, name, path);
    std::string type = raw.header("x-lxd-type");
    auto mode = static_cast<fs::perms>(number(raw, "x-lxd-mode", 8));
    if (type == "directory") {
        fs::create_directories(target);
        fs::permissions(target, mode);
        FileInfo info = file_pull(rest, project, name, path, -1);
        for (const auto& entry : info.entries)
            file_pull_tree(rest, project, name, std::string(path) + (path.ends_with('/') ? "" : "/") + entry, target / entry);
    } else if (type == "symlink") {
        std::error_code ec;
        fs::remove(target, ec);
        fs::create_symlink(raw.body, target);
    } else {
        std::ofstream out(target, std::ios::binary | std::ios::trunc);
        if (!out || !out.write(raw.body.data(), static_cast<std::streamsize>(raw.body.size())) || !out.flush())
            throw Error(ErrorCode::System, fmt::format("writing {} failed", target.string()), "target");
        out.close();
        fs::permissions(target, mode);
    }
}

// --- Backup files --------------------------------------------------------------------------

Operation export_backup(const Rest& rest, std::string_view project_in, std::string_view name_in, const fs::path& target,
                        const BackupExportOptions& opts) {
    if (target.empty()) throw Error::invalid("target", "a backup file name is required");
    std::error_code ec;
    fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(parent, ec))
        throw Error(ErrorCode::NotFound, fmt::format("backup target directory {} not found", parent.string()), "target");
    std::random_device rd;
    std::string backup = fmt::format("inst-export-{:08x}", rd());
    json body{{"name", backup}, {"instance_only", opts.instance_only}, {"optimized_storage", opts.optimized_storage},
              {"compression_algorithm", opts.compression_algorithm}};
    std::string project(project_in), name(name_in);
    std::string backups = fmt::format("/1.0/instances/{}/backups", url_escape(name));
    // Refused (bad options, unknown instance) before any local operation exists.
    Operation created = operation_of(rest, rest->request("POST", with_project(backups, project), &body), "Backing up instance");
    fs::path absolute = fs::absolute(target);
    return local_operation_with_metadata("Backing up instance", [rest, project, backups, backup, created, absolute] {
        std::string path = with_project(fmt::format("{}/{}", backups, backup), project);
        auto remove_backup = [&] {
            try {
                operation_of(rest, rest->request("DELETE", path), "Deleting backup").get();
            } catch (...) {
            }
        };
        try {
            created.get();
            auto raw = rest->request_raw("GET", with_project(fmt::format("{}/{}/export", backups, backup), project), {}, {});
            fs::path tmp = absolute.string() + ".inst-export";
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            if (!out || !out.write(raw.body.data(), static_cast<std::streamsize>(raw.body.size())) || !out.flush()) {
                std::error_code e;
                fs::remove(tmp, e);
                throw Error(ErrorCode::System, fmt::format("writing {} failed", absolute.string()), "target");
            }
            out.close();
            fs::rename(tmp, absolute);
        } catch (...) {
            remove_backup();
            throw;
        }
        remove_backup();
        return std::map<std::string, std::string>{{"path", absolute.string()}};
    });
}

Operation import_backup(const Rest& rest, std::string_view project_in, const fs::path& file, const BackupImportOptions& opts) {
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    if (ec) throw Error(ErrorCode::NotFound, fmt::format("backup file {} not found", file.string()), "file");
    if (size > kMaxFileBytes)
        throw Error(ErrorCode::NotSupported,
                    fmt::format("backup file {} is {} bytes: imports over 64 MiB to a remote are not supported yet", file.string(), size),
                    "file");
    std::ifstream in(file, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return local_operation_with_metadata("Restoring backup", [rest, project = std::string(project_in), opts, data = std::move(data)]() mutable {
        std::map<std::string, std::string> headers;
        if (!opts.name.empty()) headers["X-LXD-name"] = opts.name;
        if (!opts.pool.empty()) headers["X-LXD-pool"] = opts.pool;
        auto raw = rest->request_raw("POST", with_project("/1.0/instances", project), std::move(data), "application/octet-stream", headers);
        Operation op = operation_of(rest, envelope_of(raw), "Restoring backup");
        op.get();
        auto md = op.info().metadata;
        std::string name = md.count("name") ? md.at("name") : opts.name;
        if (name.empty()) throw Error(ErrorCode::Backend, "the server restored the backup but did not say under which name");
        return std::map<std::string, std::string>{{"name", name}};
    });
}

}  // namespace li::rest
