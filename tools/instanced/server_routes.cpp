#include "server_routes.hpp"

#include <fstream>
#include <sys/utsname.h>
#include <unistd.h>

#include "daemon.hpp"

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
                        // images, snapshots, backups (image_routes, snapshot_routes, backup_routes)
                        "image_compression_algorithm", "image_create_aliases", "images_expiry", "snapshot_expiry",
                        "snapshot_expiry_creation", "container_backup", "backup_compression", "backup_compression_algorithm",
                        "container_backup_override_pool", "backup_override_name",
                        // profiles, networks, storage (profile_routes, network_routes, storage*_routes)
                        "profile_usedby", "network", "network_state", "network_leases", "instance_nic_network",
                        "storage", "storage_api_volume_rename", "storage_api_local_volume_handling",
                        "storage_api_volume_snapshots", "custom_volume_snapshot_expiry", "storage_volume_state"});
}

// LXD's Server document for a trusted client. api_extensions lists only what instanced
// implements; clients check it before using an extension's fields.
json server_document(Daemon& daemon, const std::string& project) {
    struct utsname uts {};
    ::uname(&uts);
    auto [os_name, os_version] = os_release();
    json drivers = json::array({json{{"Name", "dir"}, {"Version", "1"}, {"Remote", false}},
                                json{{"Name", "btrfs"}, {"Version", "1"}, {"Remote", false}}});
    json environment{{"addresses", json::array()},
                     {"architectures", json::array({uts.machine})},
                     {"certificate", ""},
                     {"certificate_fingerprint", ""},
                     {"driver", "lxc"},
                     {"driver_version", ""},
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

}  // namespace

void add_server_routes(Router& router, Daemon& daemon) {
    router.add(http::verb::get, "/", [](const Call&) { return sync_response(json::array({"/1.0"})); });
    router.add(http::verb::get, "/1.0", [&daemon](const Call& call) {
        auto project = call.query.find("project");
        return sync_response(server_document(daemon, project == call.query.end() ? "default" : project->second));
    });
    router.add(http::verb::get, "/internal/ready", [](const Call&) { return sync_response(json::object()); });
    router.add(http::verb::put, "/internal/shutdown", [&daemon](const Call&) {
        daemon.request_shutdown();
        return sync_response(json::object());
    });
}

}  // namespace li::daemon
