#include "server_routes.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <lxc/lxccontainer.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "daemon.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"
#include "tls_identity.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

// NAME and VERSION_ID of /etc/os-release.
std::pair<std::string, std::string> os_release() {
    std::ifstream in("/etc/os-release");
    std::string line, name, version;
    auto value = [](const std::string& l) {
        std::string v = l.substr(l.find('=') + 1);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        return v;
    };
    while (std::getline(in, line)) {
        if (line.rfind("NAME=", 0) == 0) name = value(line);
        if (line.rfind("VERSION_ID=", 0) == 0) version = value(line);
    }
    return {name, version};
}

// QEMU's version ("7.2.19"), asked once of qemu-system-x86_64 --version; empty without QEMU.
const std::string& qemu_version() {
    static const std::string version = [] {
        std::string out;
        if (FILE* p = ::popen("qemu-system-x86_64 --version 2>/dev/null", "r")) {
            char buf[256];
            while (std::fgets(buf, sizeof buf, p)) out += buf;
            ::pclose(p);
        }
        auto at = out.find("version ");
        if (at == std::string::npos) return std::string();
        at += 8;
        return out.substr(at, out.find_first_of(" \n", at) - at);
    }();
    return version;
}

std::string host_name() {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

// The LXD API extensions instanced implements, and only those: clients test membership before
// using an extension's endpoints or fields.
json api_extensions() {
    return json::array({"etag", "patch", "projects", "project_usage", "instances", "api_filtering", "container_full",
                        "instance_get_full", "instance_all_projects", "container_exec_user_group_cwd",
                        // exec (exec_routes, exec_session): record-output, signals over the control websocket
                        "container_exec_recording", "container_exec_signal_handling",
                        // HTTPS trust (certificate_routes, access)
                        "certificate_update", "certificate_token", "certificate_project",
                        // images, snapshots, backups (image_routes, snapshot_routes, backup_routes)
                        "image_compression_algorithm", "image_create_aliases", "images_expiry", "snapshot_expiry",
                        "snapshot_expiry_creation", "container_backup", "backup_compression", "backup_compression_algorithm",
                        "container_backup_override_pool", "backup_override_name",
                        // profiles, networks, storage (profile_routes, network_routes, storage*_routes)
                        "profile_usedby", "network", "network_state", "network_leases", "instance_nic_network",
                        "storage", "storage_api_volume_rename", "storage_api_local_volume_handling",
                        "storage_api_volume_snapshots", "custom_volume_snapshot_expiry", "storage_volume_state",
                        "custom_volume_backup",  // volume_backup_routes
                        // files, resources, console (file_routes, resource_routes, console_session)
                        "file_delete", "directory_manipulation", "file_symlinks", "resources", "resources_v2", "console",
                        // type virtual-machine (ADR 0015): lxc 5.0 checks it before --vm
                        "virtual-machines"});
}

// LXD's Server document for a trusted client. api_extensions lists only what instanced
// implements; clients check it before using an extension's fields.
json server_document(Daemon& daemon, const std::string& project) {
    struct utsname uts {};
    ::uname(&uts);
    auto [os_name, os_version] = os_release();
    json drivers = json::array({json{{"Name", "dir"}, {"Version", "1"}, {"Remote", false}},
                                json{{"Name", "btrfs"}, {"Version", "1"}, {"Remote", false}}});
    // Both drivers as LXD reports them ("lxc | qemu"); QEMU only when it is installed.
    std::string driver = "lxc", driver_version = ::lxc_get_version();
    if (!qemu_version().empty()) {
        driver += " | qemu";
        driver_version += " | " + qemu_version();
    }
    json environment{{"addresses", daemon.https_addresses()},
                     {"architectures", json::array({uts.machine})},
                     {"certificate", daemon.server_identity().cert_pem},
                     {"certificate_fingerprint", daemon.server_identity().fingerprint},
                     {"driver", driver},
                     {"driver_version", driver_version},
                     {"firewall", "nftables"},
                     {"kernel", uts.sysname},
                     {"kernel_architecture", uts.machine},
                     {"kernel_features", json::object()},
                     {"kernel_version", uts.release},
                     {"lxc_features", json::object()},
                     {"os_name", os_name},
                     {"os_version", os_version},
                     {"project", project},
                     {"server", "lxd"},  // what LXD clients expect ("lxd-agent" switches them to agent paths)
                     {"server_clustered", false},
                     {"server_event_mode", "full-mesh"},
                     {"server_name", host_name()},
                     {"server_pid", ::getpid()},
                     {"server_version", LI_INSTANCED_VERSION},
                     {"storage", "dir"},
                     {"storage_version", "1"},
                     {"storage_supported_drivers", drivers}};
    return json{{"api_extensions", api_extensions()},
                {"api_status", "stable"},
                {"api_version", "1.0"},
                {"auth", "trusted"},
                {"public", false},
                {"auth_methods", json::array({"tls"})},
                {"config", daemon.manager().config()},
                {"environment", environment}};
}

// What an untrusted client may know: exactly LXD's six keys.
json untrusted_document() {
    return json{{"api_extensions", api_extensions()}, {"api_status", "stable"}, {"api_version", "1.0"},
                {"auth", "untrusted"}, {"public", false}, {"auth_methods", json::array({"tls"})}};
}

std::string config_etag(Daemon& daemon) { return sha256_hex(json(daemon.manager().config()).dump()); }

// Sets one server key; core.https_address also moves the HTTPS listener, and a key it cannot
// listen on is not kept.
void set_server_key(Daemon& daemon, const std::string& key, const std::string& value) {
    std::string old = daemon.manager().get_config(key);
    if (old == value) return;
    daemon.manager().set_config(key, value);
    if (key != "core.https_address") return;
    try {
        daemon.listen_https(value);
    } catch (...) {
        daemon.manager().set_config(key, old);
        daemon.listen_https(old);
        throw;
    }
}

Response update_config(Daemon& daemon, const Call& call, bool patch) {
    std::string if_match = call.if_match();
    if (!if_match.empty() && if_match != config_etag(daemon)) throw Error(ErrorCode::Conflict, "ETag doesn't match", "etag");
    json body = body_object(call);
    json config = body.contains("config") && !body["config"].is_null() ? body["config"] : json::object();
    if (!config.is_object()) throw Error::invalid("config", "field \"config\" must be an object");
    std::map<std::string, std::string> wanted;
    for (const auto& [key, value] : config.items()) {
        if (!value.is_string()) throw Error::invalid(key, fmt::format("the value of \"{}\" must be a string", key));
        wanted[key] = value.get<std::string>();
    }
    if (!patch)  // PUT: what is not sent any more is unset
        for (const auto& [key, value] : daemon.manager().config())
            if (!wanted.contains(key)) wanted[key] = "";
    for (const auto& [key, value] : wanted) set_server_key(daemon, key, value);
    return sync_response(json::object());
}

}  // namespace

void add_server_routes(Router& router, Daemon& daemon) {
    router.add(http::verb::get, "/", [](const Call&) { return sync_response(json::array({"/1.0"})); });
    router.add(http::verb::get, "/1.0", [&daemon](const Call& call) -> Reply {
        if (!call.identity->trusted) return sync_response(untrusted_document());
        return sync_with_etag(server_document(daemon, call.project()), config_etag(daemon));
    });
    router.add(http::verb::put, "/1.0", [&daemon](const Call& call) -> Reply { return update_config(daemon, call, false); });
    router.add(http::verb::patch, "/1.0", [&daemon](const Call& call) -> Reply { return update_config(daemon, call, true); });
    router.add(http::verb::get, "/internal/ready", [](const Call&) { return sync_response(json::object()); });
    router.add(http::verb::put, "/internal/shutdown", [&daemon](const Call&) {
        daemon.request_shutdown();
        return sync_response(json::object());
    });
}

}  // namespace li::daemon
