// Images over REST: /1.0/images (list, get, update, delete, upload, publish, export) and
// /1.0/images/aliases.
#include <fmt/format.h>
#include <atomic>
#include <fcntl.h>
#include <sys/stat.h>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>

#include "api/response_json_images.hpp"
#include "client/rest_images_files.hpp"
#include "client/rest_operation.hpp"
#include "core/operation_state.hpp"
#include "client/rest_transfer.hpp"
#include "libinstance/error.hpp"
#include "sys/mapped_file.hpp"
#include "sys/unique_fd.hpp"

namespace li::rest {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string image_path(std::string_view project, std::string_view fingerprint, std::string_view tail = {}) {
    return with_project(fmt::format("/1.0/images/{}{}", url_escape(fingerprint), tail), project);
}

std::string alias_path(std::string_view project, std::string_view alias) {
    return with_project(fmt::format("/1.0/images/aliases/{}", url_escape(alias)), project);
}


// An image file opened for upload, with its size; NotFound naming field when it cannot be read.
struct UploadFile {
    UniqueFd fd;
    uint64_t size = 0;
};
UploadFile open_upload(const fs::path& path, const char* field) {
    UploadFile f{UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC))};
    struct stat st {};
    if (!f.fd || ::fstat(f.fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error(ErrorCode::NotFound, fmt::format("image file {} not found", path.string()), field);
    f.size = static_cast<uint64_t>(st.st_size);
    return f;
}

void write_whole(const fs::path& path, std::string_view data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out || !out.write(data.data(), static_cast<std::streamsize>(data.size())) || !out.flush())
        throw Error(ErrorCode::System, fmt::format("writing {} failed", path.string()), "target");
}

// X-LXD-properties: key=value pairs, URL-query encoded.
std::string properties_header(const std::map<std::string, std::string>& properties) {
    std::string out;
    for (const auto& [key, value] : properties) out += (out.empty() ? "" : "&") + url_escape(key) + "=" + url_escape(value);
    return out;
}

std::string random_boundary() {
    std::random_device rd;
    return fmt::format("libinstance-{:016x}{:016x}", (uint64_t{rd()} << 32) | rd(), (uint64_t{rd()} << 32) | rd());
}

struct Part {
    std::string name, filename;
    std::string_view data;  ///< points into the body parsed
};

// The parts of a multipart/form-data body (a split image's export).
std::vector<Part> parse_parts(std::string_view body, const std::string& content_type) {
    auto at = content_type.find("boundary=");
    if (at == std::string::npos) throw Error(ErrorCode::Backend, "the server's multipart export has no boundary");
    std::string boundary = content_type.substr(at + 9);
    if (boundary.size() >= 2 && boundary.front() == '"') boundary = boundary.substr(1, boundary.size() - 2);
    std::string delimiter = "--" + boundary;
    std::vector<Part> parts;
    size_t pos = body.find(delimiter);
    while (pos != std::string::npos) {
        pos += delimiter.size();
        if (body.compare(pos, 2, "--") == 0) break;
        size_t headers_end = body.find("\r\n\r\n", pos);
        if (headers_end == std::string::npos) break;
        std::string headers(body.substr(pos, headers_end - pos));
        size_t next = body.find("\r\n" + delimiter, headers_end + 4);
        if (next == std::string::npos) throw Error(ErrorCode::Backend, "the server's multipart export is truncated");
        Part part;
        auto quoted = [&](const char* key) {
            auto k = headers.find(key);
            if (k == std::string::npos) return std::string();
            k += std::strlen(key);
            return headers.substr(k, headers.find('"', k) - k);
        };
        part.name = quoted("name=\"");
        part.filename = quoted("filename=\"");
        part.data = body.substr(headers_end + 4, next - headers_end - 4);
        parts.push_back(std::move(part));
        pos = next + 2;
    }
    return parts;
}

std::string disposition_filename(const std::string& header) {
    auto at = header.find("filename=");
    if (at == std::string::npos) return {};
    std::string name = header.substr(at + 9);
    if (!name.empty() && name.front() == '"') name = name.substr(1, name.find('"', 1) - 1);
    return fs::path(name).filename().string();  // never a path the server chose
}

// ImageStore::export_image's naming (lxc image export): a directory gets the server's names, a
// file name is used as given, a unified image getting the extension of the server's name.
ImageExportResult export_paths(const fs::path& target_in, const std::string& metadata_name, const std::string& rootfs_name,
                               bool split) {
    fs::path target = target_in.empty() ? fs::path(".") : target_in;
    std::error_code ec;
    ImageExportResult out;
    if (fs::is_directory(target, ec)) {
        out.metadata = target / metadata_name;
        if (split) out.rootfs = target / rootfs_name;
        return out;
    }
    fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(parent, ec))
        throw Error(ErrorCode::NotFound, fmt::format("export target directory {} not found", parent.string()), "target");
    if (!split) {
        auto dot = metadata_name.find('.');
        out.metadata = target.string() + (dot == std::string::npos ? std::string() : metadata_name.substr(dot));
    } else {
        out.metadata = target;
        out.rootfs = target.string() + ".root";
    }
    return out;
}

}  // namespace

std::vector<api::Image> list_images(const Rest& rest, std::string_view project) {
    auto response = rest->get(with_project("/1.0/images?recursion=1", project));
    std::vector<api::Image> out;
    if (response.metadata.is_array())
        for (const auto& doc : response.metadata) out.push_back(image_from_json(doc));
    return out;
}

api::Image get_image(const Rest& rest, std::string_view project, std::string_view ref) {
    if (ref.empty()) throw Error::invalid("image", "an image reference (alias or fingerprint) is required");
    std::string fingerprint(ref);
    try {
        fingerprint = get_image_alias(rest, project, ref).target;
    } catch (const Error& e) {
        if (e.code() != ErrorCode::NotFound) throw;
    }
    try {
        return image_from_json(rest->get(image_path(project, fingerprint)).metadata);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::NotFound) throw;
        throw Error(ErrorCode::NotFound, fmt::format("image \"{}\" not found", ref), "image");
    }
}

void delete_image(const Rest& rest, std::string_view project, std::string_view ref) {
    std::string fingerprint = get_image(rest, project, ref).fingerprint;
    operation_of(rest, rest->request("DELETE", image_path(project, fingerprint)), "Deleting image").get();
}

api::Image update_image(const Rest& rest, std::string_view project, std::string_view ref, const api::ImagePut& put) {
    std::string fingerprint = get_image(rest, project, ref).fingerprint;
    auto current = rest->get(image_path(project, fingerprint));
    json body = json::parse(api::to_json(put));
    std::map<std::string, std::string> headers;
    if (!current.etag.empty()) headers["If-Match"] = fmt::format("\"{}\"", current.etag);
    rest->request("PUT", image_path(project, fingerprint), &body, headers);
    return image_from_json(rest->get(image_path(project, fingerprint)).metadata);
}

std::vector<api::ImageAliasesEntry> list_image_aliases(const Rest& rest, std::string_view project) {
    auto response = rest->get(with_project("/1.0/images/aliases?recursion=1", project));
    std::vector<api::ImageAliasesEntry> out;
    if (response.metadata.is_array())
        for (const auto& doc : response.metadata) out.push_back(image_alias_from_json(doc));
    return out;
}

api::ImageAliasesEntry get_image_alias(const Rest& rest, std::string_view project, std::string_view alias) {
    if (alias.empty()) throw Error::invalid("alias", "an alias name is required");
    return image_alias_from_json(rest->get(alias_path(project, alias)).metadata);
}

void create_image_alias(const Rest& rest, std::string_view project, std::string_view alias, std::string_view ref,
                        std::string_view description) {
    if (alias.empty()) throw Error::invalid("alias", "an alias name is required");
    json body{{"name", alias}, {"description", description}, {"target", get_image(rest, project, ref).fingerprint}};
    rest->request("POST", with_project("/1.0/images/aliases", project), &body);
}

void delete_image_alias(const Rest& rest, std::string_view project, std::string_view alias) {
    if (alias.empty()) throw Error::invalid("alias", "an alias name is required");
    rest->request("DELETE", alias_path(project, alias));
}

void rename_image_alias(const Rest& rest, std::string_view project, std::string_view alias, std::string_view new_name) {
    if (new_name.empty()) throw Error::invalid("new_name", "the alias's new name is required");
    json body{{"name", new_name}};
    rest->request("POST", alias_path(project, alias), &body);
}

void update_image_alias(const Rest& rest, std::string_view project, std::string_view alias, std::string_view target_ref,
                        std::string_view description) {
    auto current = rest->get(alias_path(project, alias));
    std::string target = target_ref.empty() ? image_alias_from_json(current.metadata).target
                                            : get_image(rest, project, target_ref).fingerprint;
    json body{{"target", target}, {"description", description}};
    std::map<std::string, std::string> headers;
    if (!current.etag.empty()) headers["If-Match"] = fmt::format("\"{}\"", current.etag);
    rest->request("PUT", alias_path(project, alias), &body, headers);
}

Operation import_image(const Rest& rest, std::string_view project_in, const fs::path& path, const ImageImportOptions& opts) {
    if (opts.cached) throw Error(ErrorCode::NotSupported, "importing a cached image into a remote is not supported", "cached");
    std::string expected = opts.expected_fingerprint;
    for (auto& c : expected) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Refused before any operation exists when a file cannot be read; streamed, never whole in memory.
    auto metadata = std::make_shared<UploadFile>(open_upload(path, "path"));
    auto rootfs = std::make_shared<UploadFile>();
    if (!opts.rootfs_path.empty()) *rootfs = open_upload(opts.rootfs_path, "rootfs_path");
    return local_operation_with_metadata("Importing image", [rest, project = std::string(project_in), path, opts, expected,
                                                  metadata, rootfs]() mutable {
        std::map<std::string, std::string> headers;
        if (opts.public_) headers["X-LXD-public"] = "true";
        if (!opts.properties.empty()) headers["X-LXD-properties"] = properties_header(opts.properties);
        headers["X-LXD-filename"] = path.filename().string();
        std::vector<RestUploadPiece> body;
        std::string content_type = "application/octet-stream";
        auto file_piece = [](const UploadFile& f) {
            RestUploadPiece piece;
            piece.fd = f.fd.get();
            piece.size = f.size;
            return piece;
        };
        if (opts.rootfs_path.empty()) {
            body.push_back(file_piece(*metadata));
        } else {
            std::string boundary = random_boundary();
            auto part_head = [&](const char* name, const fs::path& file) {
                return fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n"
                                   "Content-Type: application/octet-stream\r\n\r\n",
                                   boundary, name, file.filename().string());
            };
            body.push_back(RestUploadPiece{part_head("metadata", path)});
            body.push_back(file_piece(*metadata));
            body.push_back(RestUploadPiece{"\r\n" + part_head("rootfs", opts.rootfs_path)});
            body.push_back(file_piece(*rootfs));
            body.push_back(RestUploadPiece{fmt::format("\r\n--{}--\r\n", boundary)});
            content_type = "multipart/form-data; boundary=" + boundary;
        }
        auto raw = rest->request_upload("POST", with_project("/1.0/images", project), body, content_type, headers);
        Operation op = operation_of(rest, envelope_of(raw), "Importing image");
        std::string fingerprint = image_fingerprint_of(op);
        if (!expected.empty() && fingerprint != expected) {
            try {
                delete_image(rest, project, fingerprint);
            } catch (...) {
            }
            throw Error::invalid("expected_fingerprint",
                                 fmt::format("the image's fingerprint is {}, not the expected {}", fingerprint, expected));
        }
        if (opts.auto_update) {
            api::Image image = get_image(rest, project, fingerprint);
            api::ImagePut put = api::image_put_of(image);
            put.auto_update = true;
            update_image(rest, project, fingerprint, put);
        }
        if (!opts.alias.empty()) create_image_alias(rest, project, opts.alias, fingerprint, {});
        return std::map<std::string, std::string>{{"fingerprint", fingerprint}};
    });
}

Operation export_image(const Rest& rest, std::string_view project_in, std::string_view ref, const fs::path& target) {
    std::string fingerprint = get_image(rest, project_in, ref).fingerprint;  // NotFound before any operation
    return local_operation_with_metadata("Exporting image", [rest, project = std::string(project_in), fingerprint, target] {
        // Downloaded beside the target under a temporary name, then renamed (or split) into place.
        std::error_code ec;
        fs::path dir = target.empty() ? fs::path(".") : fs::is_directory(target, ec) ? target : target.parent_path();
        if (dir.empty()) dir = ".";
        fs::path download = dir / fmt::format(".inst-image-export-{:08x}", std::random_device{}());
        struct Remover {
            fs::path path;
            ~Remover() {
                std::error_code ignored;
                fs::remove(path, ignored);
            }
        } remover{download};
        auto raw = download_to_file(*rest, image_path(project, fingerprint, "/export"), download);
        std::string content_type = raw.header("content-type");
        std::map<std::string, std::string> meta{{"fingerprint", fingerprint}};
        if (content_type.starts_with("multipart/")) {
            MappedFile mapped(download);
            auto parts = parse_parts(mapped.view(), content_type);
            if (parts.size() != 2) throw Error(ErrorCode::Backend, "the server's split image export does not have two parts");
            auto name_of = [&](const Part& p, const std::string& fallback) {
                std::string n = fs::path(p.filename).filename().string();
                return n.empty() ? fallback : n;
            };
            ImageExportResult out = export_paths(target, name_of(parts[0], "meta-" + fingerprint + ".tar.xz"),
                                                 name_of(parts[1], fingerprint + ".squashfs"), true);
            write_whole(out.metadata, parts[0].data);
            write_whole(out.rootfs, parts[1].data);
            meta["metadata_path"] = fs::absolute(out.metadata).lexically_normal().string();
            meta["rootfs_path"] = fs::absolute(out.rootfs).lexically_normal().string();
            return meta;
        }
        std::string name = disposition_filename(raw.header("content-disposition"));
        if (name.empty()) name = fingerprint + ".tar.gz";
        ImageExportResult out = export_paths(target, name, {}, false);
        fs::rename(download, out.metadata);
        meta["metadata_path"] = fs::absolute(out.metadata).lexically_normal().string();
        meta["rootfs_path"] = "";
        return meta;
    });
}

ImageExportResult export_result_of(const Operation& op) {
    op.get();
    auto md = op.info().metadata;
    ImageExportResult out;
    out.metadata = md.at("metadata_path");
    if (auto it = md.find("rootfs_path"); it != md.end() && !it->second.empty()) out.rootfs = it->second;
    return out;
}

Operation publish_image(const Rest& rest, std::string_view project, const ImagePublishOptions& opts) {
    if (opts.instance.empty()) throw Error::invalid("instance", "the instance to publish is required");
    bool snapshot = opts.instance.find('/') != std::string::npos;
    json source{{"type", snapshot ? "snapshot" : "instance"}, {"name", opts.instance}};
    json body{{"source", source}, {"public", opts.public_}, {"properties", opts.properties},
              {"compression_algorithm", opts.compression}};
    if (!opts.expires_at.empty()) body["expires_at"] = opts.expires_at;
    if (!opts.alias.empty()) body["aliases"] = json::array({json{{"name", opts.alias}, {"description", ""}}});
    return operation_of(rest, rest->request("POST", with_project("/1.0/images", project), &body), "Publishing image");
}

Operation copy_image_from_server(const Rest& rest, std::string_view project, const api::ImagesPost& post) {
    if (post.source.server.empty()) throw Error::invalid("source.server", "the image server to copy from is required");
    if (post.source.alias.empty() && post.source.fingerprint.empty())
        throw Error::invalid("source.alias", "an alias or a fingerprint on the server is required");
    json source{{"type", "image"}, {"mode", "pull"}, {"server", post.source.server}, {"protocol", post.source.protocol}};
    if (!post.source.alias.empty()) source["alias"] = post.source.alias;
    if (!post.source.fingerprint.empty()) source["fingerprint"] = post.source.fingerprint;
    if (!post.source.certificate.empty()) source["certificate"] = post.source.certificate;
    json aliases = json::array();
    for (const auto& a : post.aliases) aliases.push_back({{"name", a.name}, {"description", a.description}});
    json body{{"source", source}, {"aliases", aliases}, {"public", post.public_}, {"auto_update", post.auto_update}};
    return operation_of(rest, rest->request("POST", with_project("/1.0/images", project), &body), "Downloading image");
}

Operation refresh_image(const Rest& rest, std::string_view project, std::string_view ref) {
    std::string fingerprint = get_image(rest, project, ref).fingerprint;  // NotFound before the request
    return operation_of(rest, rest->request("POST", image_path(project, fingerprint, "/refresh")), "Refreshing image");
}

std::string image_fingerprint_of(const Operation& op) {
    op.get();
    auto md = op.info().metadata;
    auto it = md.find("fingerprint");
    if (it == md.end() || it->second.empty())
        throw Error(ErrorCode::Backend, "the server's image operation succeeded but reported no fingerprint");
    return it->second;
}

}  // namespace li::rest
