#include <doctest.h>

#include "backup/backup_config.hpp"
#include "libinstance/error.hpp"

using namespace li;

namespace {

// What LXD 5.0.2 writes as backup.yaml beside a dir-pool container with one snapshot (yaml.v2:
// struct fields in declaration order, maps sorted, times as RFC 3339 with nanoseconds).
const char* kLxdSample = R"(container:
  architecture: x86_64
  config:
    image.os: Debian
    limits.memory: 256MB
    volatile.base_image: 4d1e5a0ffb0e7fbd8c0a4e1c2a3e0e8fc1e0b7e2c4b9a1e5f0d7c6b5a4938271
    volatile.eth0.hwaddr: 00:16:3e:12:34:56
    volatile.idmap.base: "0"
    volatile.last_state.power: RUNNING
    volatile.uuid: 0c6a3d1e-9bd4-4a2f-8d5c-7e1b2f3a4c5d
  devices:
    data:
      path: /srv
      source: /tmp/data
      type: disk
  ephemeral: false
  profiles:
  - default
  stateful: false
  description: web server
  created_at: 2026-11-20T10:11:12.123456789Z
  expanded_config:
    image.os: Debian
    limits.memory: 256MB
  expanded_devices:
    root:
      path: /
      pool: default
      type: disk
  name: c1
  status: Running
  status_code: 103
  last_used_at: 2026-11-21T08:00:00.5Z
  location: none
  type: container
  project: default
snapshots:
- architecture: x86_64
  config:
    limits.memory: 128MB
  created_at: 2026-11-20T11:00:00Z
  devices: {}
  ephemeral: false
  expanded_config:
    limits.memory: 128MB
  expanded_devices:
    root:
      path: /
      pool: default
      type: disk
  last_used_at: 0001-01-01T00:00:00Z
  name: snap0
  profiles:
  - default
  stateful: false
  size: 4096
  expires_at: 2027-01-01T00:00:00Z
  description: ""
pool:
  config:
    source: /var/lib/lxd/storage-pools/default
  description: ""
  name: default
  driver: dir
  used_by: []
  status: Created
  locations:
  - none
volume:
  config: {}
  description: ""
  name: c1
  type: container
  used_by: []
  location: none
  content_type: filesystem
  project: default
volume_snapshots:
- config: {}
  description: ""
  expires_at: 2027-01-01T00:00:00Z
  name: snap0
  content_type: filesystem
)";

}  // namespace

TEST_CASE("backup.yaml written by LXD 5.0.2 reads into every field") {
    backup::Config c = backup::config_from_yaml(kLxdSample, "backup.yaml");
    REQUIRE(c.instance);
    CHECK(c.instance->name == "c1");
    CHECK(c.instance->description == "web server");
    CHECK(c.instance->config.at("limits.memory") == "256MB");
    CHECK(c.instance->config.at("volatile.idmap.base") == "0");
    CHECK(c.instance->devices.at("data").at("source") == "/tmp/data");
    CHECK(c.instance->expanded_devices.at("root").at("pool") == "default");
    CHECK(c.instance->profiles == std::vector<std::string>{"default"});
    CHECK(c.instance->status_code == 103);
    CHECK(c.instance->created_at == "2026-11-20T10:11:12.123456789Z");
    REQUIRE(c.snapshots.size() == 1);
    CHECK(c.snapshots[0].name == "snap0");
    CHECK(c.snapshots[0].config.at("limits.memory") == "128MB");
    CHECK(c.snapshots[0].devices.empty());
    CHECK(c.snapshots[0].last_used_at.empty());  // Go's zero time is "never"
    CHECK(c.snapshots[0].expires_at == "2027-01-01T00:00:00Z");
    CHECK(c.snapshots[0].size == 4096);
    REQUIRE(c.pool);
    CHECK(c.pool->driver == "dir");
    CHECK(c.pool->config.at("source") == "/var/lib/lxd/storage-pools/default");
    REQUIRE(c.volume);
    CHECK(c.volume->type == "container");
    CHECK(c.volume->created_at.empty());  // LXD 5.0 has no volume created_at
    REQUIRE(c.volume_snapshots.size() == 1);
    CHECK(c.volume_snapshots[0].expires_at == "2027-01-01T00:00:00Z");
}

TEST_CASE("backup.yaml round-trips through to_yaml") {
    backup::Config c = backup::config_from_yaml(kLxdSample, "backup.yaml");
    c.instance->config["user.odd"] = "yes";  // would be a YAML boolean if it were not quoted
    c.instance->config["user.num"] = "007";
    c.instance->config["user.multi"] = "a: b\n- c\n";
    c.instance->devices["empty"] = {};
    std::string yaml = backup::to_yaml(c);
    backup::Config back = backup::config_from_yaml(yaml, "backup.yaml");
    CHECK(back.instance->config == c.instance->config);
    CHECK(back.instance->devices == c.instance->devices);
    CHECK(back.instance->expanded_config == c.instance->expanded_config);
    CHECK(back.instance->last_used_at == c.instance->last_used_at);
    CHECK(back.snapshots[0].expires_at == c.snapshots[0].expires_at);
    CHECK(back.snapshots[0].last_used_at.empty());
    CHECK(back.pool->config == c.pool->config);
    CHECK(back.volume->name == "c1");
    CHECK(back.volume_snapshots.size() == 1);
    CHECK(yaml.find("last_used_at: \"0001-01-01T00:00:00Z\"") != std::string::npos);
    CHECK(backup::to_yaml(back) == yaml);
}

TEST_CASE("a custom volume's backup.yaml has no container") {
    backup::Config c;
    c.pool.emplace();
    c.pool->name = "p";
    c.pool->driver = "btrfs";
    c.volume.emplace();
    c.volume->name = "data";
    c.volume->type = "custom";
    c.volume->config = {{"size", "1GiB"}};
    c.volume_snapshots.emplace_back();
    c.volume_snapshots[0].name = "s1";
    c.volume_snapshots[0].description = "before";
    std::string yaml = backup::to_yaml(c);
    CHECK(yaml.find("container:") == std::string::npos);
    backup::Config back = backup::config_from_yaml(yaml, "backup.yaml");
    CHECK(!back.instance);
    CHECK(back.volume->config.at("size") == "1GiB");
    CHECK(back.volume_snapshots.at(0).description == "before");
}

TEST_CASE("malformed backup.yaml names the field") {
    auto key_of = [](const char* yaml) {
        try {
            backup::config_from_yaml(yaml, "c1/backup.yaml");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            return e.key();
        }
        FAIL("accepted");
        return std::string();
    };
    CHECK(key_of("container: {name: c1, config: [a]}") == "c1/backup.yaml: container.config");
    CHECK(key_of("container: {name: c1, devices: {root: x}}") == "c1/backup.yaml: container.devices.root");
    CHECK(key_of("container: {config: {}}") == "c1/backup.yaml: container.name");
    CHECK(key_of("snapshots: [{name: s, stateful: maybe}]") == "c1/backup.yaml: snapshots[0].stateful");
    CHECK(key_of("pool: {name: p}") == "c1/backup.yaml: pool.driver");
    CHECK(key_of("volume_snapshots: {}") == "c1/backup.yaml: volume_snapshots");
    CHECK(key_of("container: {name: c1, profiles: [[x]]}") == "c1/backup.yaml: container.profiles[0]");
    CHECK(key_of("[unclosed") == "c1/backup.yaml");
    CHECK(key_of("- a list") == "c1/backup.yaml: (document)");
}
