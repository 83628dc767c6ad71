// Instance files over REST: GET/POST/DELETE /1.0/instances/<name>/files?path=..., with LXD's
// X-LXD-type/uid/gid/mode headers. A file's content is streamed both ways (request_upload,
// request_download), never whole in memory; small pushes go on the kept-alive connection.
#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <atomic>
#include <functional>
#include <fstream>
#include <random>
#include <thread>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/rest_images_files.hpp"
#include "client/rest_transfer.hpp"
#include "client/rest_operation.hpp"
#include "core/operation_state.hpp"
#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li::rest {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Pushes up to this size are sent from memory on the kept-alive connection; bigger ones are
// streamed on a connection of their own.
constexpr size_t kInMemoryPushBytes = size_t{1} << 20;

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

// GET of path: a directory's listing or a symlink's target in memory, a file's content streamed
// to the sink file_sink() makes (called only for a file).
RestRawResponse get_file(const Rest& rest, std::string_view project, std::string_view name, std::string_view path,
                         const std::function<RestChunkSink()>& file_sink) {
    return rest->request_download("GET", files_path(project, name, path), [&](const RestRawResponse& head) -> RestChunkSink {
        std::string type = head.header("x-lxd-type");
        if (type == "directory" || type == "symlink") return nullptr;
        return file_sink();
    });
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
    if (opts.create_parents) create_parents(rest, project, name, path, opts);
    auto headers = create_headers("file", opts);
    headers["X-LXD-write"] = "overwrite";
    if (data.size() <= kInMemoryPushBytes)
        rest->request_raw("POST", files_path(project, name, path), std::move(data), "application/octet-stream", headers);
    else
        rest->request_upload("POST", files_path(project, name, path), {RestUploadPiece{std::move(data)}}, "application/octet-stream", headers);
}

void file_push_fd(const Rest& rest, std::string_view project, std::string_view name, std::string_view path, int fd,
                  const FileOptions& opts) {
    // Read up to the in-memory bound first: a small file (or pipe) goes on the kept-alive
    // connection; the rest of a bigger one is streamed after what was read.
    std::string data;
    char buffer[65536];
    bool ended = false;
    while (data.size() <= kInMemoryPushBytes) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::from_errno("reading the file to push", errno);
        if (n == 0) {
            ended = true;
            break;
        }
        data.append(buffer, static_cast<size_t>(n));
    }
    if (ended) return file_push(rest, project, name, path, std::move(data), opts);
    check_path(path);
    if (opts.create_parents) create_parents(rest, project, name, path, opts);
    auto headers = create_headers("file", opts);
    headers["X-LXD-write"] = "overwrite";
    RestUploadPiece rest_of_file;
    rest_of_file.fd = fd;
    struct stat st {};
    off_t offset = ::lseek(fd, 0, SEEK_CUR);
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && offset >= 0 && st.st_size >= offset)
        rest_of_file.size = static_cast<uint64_t>(st.st_size - offset);
    rest->request_upload("POST", files_path(project, name, path), {RestUploadPiece{std::move(data)}, rest_of_file},
                         "application/octet-stream", headers);
}

FileInfo file_pull(const Rest& rest, std::string_view project, std::string_view name, std::string_view path, int fd) {
    check_path(path);
    uint64_t size = 0;  // a file's content goes to fd (or is only counted when fd < 0)
    auto raw = get_file(rest, project, name, path, [&]() -> RestChunkSink {
        return [&size, fd](std::string_view chunk) {
            size += chunk.size();
            if (fd >= 0) write_all(fd, chunk, "the pulled file");
        };
    });
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
        info.size = size;
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
        UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
        if (!in) throw Error::from_errno("reading " + source.string(), errno);
        return file_push_fd(rest, project, name, path, in.get(), own);
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
    // A file's content goes straight to a temporary name beside target, renamed once complete.
    fs::path partial = target;
    partial += ".inst-pull";
    UniqueFd out;
    RestRawResponse raw;
    try {
        raw = get_file(rest, project, name, path, [&]() -> RestChunkSink {
            out.reset(::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
            if (!out) throw Error(ErrorCode::System, fmt::format("cannot create {}: {}", partial.string(), std::strerror(errno)), "target");
            return [&](std::string_view chunk) { write_all(out.get(), chunk, partial.string()); };
        });
    } catch (...) {
        if (out) {
            std::error_code ignored;
            fs::remove(partial, ignored);
        }
        throw;
    }
    out.reset();
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
        fs::permissions(partial, mode);
        fs::rename(partial, target);
    }
}

// --- Backup files --------------------------------------------------------------------------
// Instance and custom volume backups travel alike: a backup made on the server under a name of
// ours, downloaded from .../<name>/export and deleted; an import is the tarball POSTed as
// application/octet-stream.

namespace {

// POST <backups> with body (refused at once: bad options, unknown owner), then in a local
// operation: wait, GET <backups>/<name>/export into target (through a temporary name), DELETE.
Operation export_backup_file(const Rest& rest, const std::string& project, const std::string& backups, const fs::path& target,
                             json body, const char* description) {
    if (target.empty()) throw Error::invalid("target", "a backup file name is required");
    std::error_code ec;
    fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(parent, ec))
        throw Error(ErrorCode::NotFound, fmt::format("backup target directory {} not found", parent.string()), "target");
    std::random_device rd;
    std::string backup = fmt::format("inst-export-{:08x}", rd());
    body["name"] = backup;
    Operation created = operation_of(rest, rest->request("POST", with_project(backups, project), &body), description);
    fs::path absolute = fs::absolute(target);
    return local_operation_with_metadata(description, [rest, project, backups, backup, created, absolute] {
        std::string path = with_project(fmt::format("{}/{}", backups, backup), project);
        auto remove_backup = [&] {
            try {
                operation_of(rest, rest->request("DELETE", path), "Deleting backup").get();
            } catch (...) {
            }
        };
        try {
            created.get();
            download_to_file(*rest, with_project(fmt::format("{}/{}/export", backups, backup), project), absolute);
        } catch (...) {
            remove_backup();
            throw;
        }
        remove_backup();
        return std::map<std::string, std::string>{{"path", absolute.string()}};
    });
}

// The file is checked at once (NotFound before any operation), then streamed: it is
// POSTed to url in a local operation whose metadata "name" is what the server created.
Operation import_backup_file(const Rest& rest, const std::string& url, const fs::path& file,
                             std::map<std::string, std::string> headers, const std::string& fallback_name, const char* description) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) throw Error(ErrorCode::NotFound, fmt::format("backup file {} not found", file.string()), "file");
    fs::path data = fs::absolute(file);  // streamed from the file when the operation runs
    return local_operation_with_metadata(description, [rest, url, headers, fallback_name, description, data]() mutable {
        auto raw = upload_file(*rest, "POST", url, data, "file", "application/octet-stream", headers);
        Operation op = operation_of(rest, envelope_of(raw), description);
        op.get();
        auto md = op.info().metadata;
        std::string name = md.count("name") ? md.at("name") : fallback_name;
        if (name.empty()) throw Error(ErrorCode::Backend, "the server restored the backup but did not say under which name");
        return std::map<std::string, std::string>{{"name", name}};
    });
}

std::map<std::string, std::string> import_headers(const BackupImportOptions& opts, bool with_pool) {
    std::map<std::string, std::string> headers;
    if (!opts.name.empty()) headers["X-LXD-name"] = opts.name;
    if (with_pool && !opts.pool.empty()) headers["X-LXD-pool"] = opts.pool;
    return headers;
}

}  // namespace

Operation export_backup(const Rest& rest, std::string_view project, std::string_view name, const fs::path& target,
                        const BackupExportOptions& opts) {
    json body{{"instance_only", opts.instance_only}, {"optimized_storage", opts.optimized_storage},
              {"compression_algorithm", opts.compression_algorithm}};
    return export_backup_file(rest, std::string(project), fmt::format("/1.0/instances/{}/backups", url_escape(name)), target,
                              std::move(body), "Backing up instance");
}

Operation import_backup(const Rest& rest, std::string_view project, const fs::path& file, const BackupImportOptions& opts) {
    return import_backup_file(rest, with_project("/1.0/instances", project), file, import_headers(opts, true), opts.name,
                              "Restoring backup");
}

Operation export_volume_backup(const Rest& rest, std::string_view project, std::string_view pool, std::string_view volume,
                               const fs::path& target, const BackupExportOptions& opts) {
    json body{{"volume_only", opts.instance_only}, {"optimized_storage", opts.optimized_storage},
              {"compression_algorithm", opts.compression_algorithm}};
    std::string backups = fmt::format("/1.0/storage-pools/{}/volumes/custom/{}/backups", url_escape(pool), url_escape(volume));
    return export_backup_file(rest, std::string(project), backups, target, std::move(body), "Creating custom volume backup");
}

Operation import_volume_backup(const Rest& rest, std::string_view project, std::string_view pool, const fs::path& file,
                               const BackupImportOptions& opts) {
    // opts.pool means nothing here (the pool is the URL's), as in the library.
    return import_backup_file(rest, with_project(fmt::format("/1.0/storage-pools/{}/volumes/custom", url_escape(pool)), project), file,
                              import_headers(opts, false), opts.name, "Restoring custom volume backup");
}

}  // namespace li::rest
