#include "store/schema.hpp"

#include <array>

namespace li {

namespace {

// Version 1: the walking skeleton's objects. Names are unique per project, like LXD.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT ''
);
INSERT INTO projects (name, description) VALUES ('default', 'Default project');

CREATE TABLE storage_pools (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    driver TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE storage_pools_config (
    pool_id INTEGER NOT NULL REFERENCES storage_pools(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (pool_id, key)
);

CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (project, name)
);
CREATE TABLE profiles_config (
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (profile_id, key)
);
CREATE TABLE profiles_devices (
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    device TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (profile_id, device, key)
);

CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    architecture TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'container',
    public INTEGER NOT NULL DEFAULT 0,
    auto_update INTEGER NOT NULL DEFAULT 0,
    cached INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT '',
    uploaded_at TEXT NOT NULL,
    expires_at TEXT NOT NULL DEFAULT '',
    last_used_at TEXT NOT NULL DEFAULT '',
    UNIQUE (project, fingerprint)
);
CREATE TABLE images_properties (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (image_id, key)
);
CREATE TABLE images_aliases (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (project, name)
);

CREATE TABLE instances (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'container',
    architecture TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    ephemeral INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL DEFAULT '',
    UNIQUE (project, name)
);
CREATE TABLE instances_config (
    instance_id INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (instance_id, key)
);
CREATE TABLE instances_devices (
    instance_id INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    device TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (instance_id, device, key)
);
CREATE TABLE instances_profiles (
    instance_id INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE RESTRICT,
    apply_order INTEGER NOT NULL,
    UNIQUE (instance_id, profile_id)
);
)sql";

// Version 2: image servers (lxc's remotes, kept with the state) and where pulled images came
// from, which `auto_update` and refresh need (LXD's images_source).
constexpr std::string_view kV2Remotes = R"sql(
CREATE TABLE remotes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    protocol TEXT NOT NULL DEFAULT 'simplestreams',
    public INTEGER NOT NULL DEFAULT 0,
    certificate TEXT NOT NULL DEFAULT ''
);
CREATE TABLE images_source (
    id INTEGER PRIMARY KEY,
    image_id INTEGER NOT NULL UNIQUE REFERENCES images(id) ON DELETE CASCADE,
    server TEXT NOT NULL,
    protocol TEXT NOT NULL DEFAULT 'simplestreams',
    certificate TEXT NOT NULL DEFAULT '',
    alias TEXT NOT NULL DEFAULT ''
);
)sql";

// Version 3: the state directory's own settings (LXD's server config, e.g.
// images.remote_cache_expiry); unset keys take their documented defaults.
constexpr std::string_view kV3Config = R"sql(
CREATE TABLE config (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
)sql";

// Version 4: custom storage volumes (LXD's storage_volumes). A pool holding volumes cannot be
// dropped from under them (RESTRICT); names are unique per pool, project and type.
constexpr std::string_view kV4Volumes = R"sql(
CREATE TABLE storage_volumes (
    id INTEGER PRIMARY KEY,
    pool_id INTEGER NOT NULL REFERENCES storage_pools(id) ON DELETE RESTRICT,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'custom',
    content_type TEXT NOT NULL DEFAULT 'filesystem',
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT '',
    UNIQUE (pool_id, project, type, name)
);
CREATE TABLE storage_volumes_config (
    volume_id INTEGER NOT NULL REFERENCES storage_volumes(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (volume_id, key)
);
)sql";

// Version 5: snapshots of custom volumes (LXD's storage_volumes_snapshots): the files are the
// driver's; the rows keep what LXD shows of them, in creation order (id).
constexpr std::string_view kV5VolumeSnapshots = R"sql(
CREATE TABLE storage_volumes_snapshots (
    id INTEGER PRIMARY KEY,
    volume_id INTEGER NOT NULL REFERENCES storage_volumes(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT '',
    expires_at TEXT NOT NULL DEFAULT '',
    UNIQUE (volume_id, name)
);
CREATE TABLE storage_volumes_snapshots_config (
    snapshot_id INTEGER NOT NULL REFERENCES storage_volumes_snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (snapshot_id, key)
);
)sql";

// Version 6: instance snapshots (LXD's instances_snapshots): the instance's settings when it was
// taken, its own expiry; the profiles are kept by name (a JSON array) so that deleting a profile
// later does not lose the snapshot, and a restore names what is missing.
constexpr std::string_view kV6InstanceSnapshots = R"sql(
CREATE TABLE instances_snapshots (
    id INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    architecture TEXT NOT NULL DEFAULT '',
    ephemeral INTEGER NOT NULL DEFAULT 0,
    stateful INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT '',
    expires_at TEXT NOT NULL DEFAULT '',
    last_used_at TEXT NOT NULL DEFAULT '',
    profiles TEXT NOT NULL DEFAULT '[]',
    UNIQUE (instance_id, name)
);
CREATE TABLE instances_snapshots_config (
    snapshot_id INTEGER NOT NULL REFERENCES instances_snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (snapshot_id, key)
);
CREATE TABLE instances_snapshots_devices (
    snapshot_id INTEGER NOT NULL REFERENCES instances_snapshots(id) ON DELETE CASCADE,
    device TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (snapshot_id, device, key)
);
)sql";

// Version 7: the snapshot scheduler's taken slots (instance, minute since the epoch), written
// before the snapshot so that a slot is taken once whoever runs the pass.
constexpr std::string_view kV7SnapshotSlots = R"sql(
CREATE TABLE instances_snapshot_schedule_slots (
    instance_id INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    minute INTEGER NOT NULL,
    UNIQUE (instance_id, minute)
);
)sql";

// Version 8: the journal of multi-step operations in flight (see core/intent.hpp): what each has
// made that the next open must remove if it never committed, and what it leaves to remove after.
constexpr std::string_view kV8Journal = R"sql(
CREATE TABLE operations_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    project TEXT NOT NULL,
    subject TEXT NOT NULL,
    phase TEXT NOT NULL,
    undo TEXT NOT NULL DEFAULT '[]',
    cleanup TEXT NOT NULL DEFAULT '[]',
    detail TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL
);
)sql";

// Version 9: what the manager's own periodic jobs remember between passes and processes (e.g.
// when images were last auto-updated), apart from the user's settings in `config`.
constexpr std::string_view kV9ServerState = R"sql(
CREATE TABLE server_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
)sql";

// Version 10: managed networks (LXD's networks table, one row per network; config as JSON since
// it is read and written whole). status is "Created" or "Errored".
constexpr std::string_view kV10Networks = R"sql(
CREATE TABLE networks (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    config TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'Created',
    UNIQUE (project, name)
);
)sql";

// Version 11: projects' config (LXD's projects_config): features, limits and restrictions. The
// default project has every feature; its description becomes LXD's.
constexpr std::string_view kV11ProjectsConfig = R"sql(
CREATE TABLE projects_config (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (project_id, key)
);
INSERT INTO projects_config (project_id, key, value)
    SELECT id, f.key, 'true' FROM projects,
        (SELECT 'features.images' AS key UNION ALL SELECT 'features.profiles'
         UNION ALL SELECT 'features.storage.volumes' UNION ALL SELECT 'features.networks') AS f
    WHERE name = 'default';
UPDATE projects SET description = 'Default LXD project' WHERE name = 'default' AND description = 'Default project';
)sql";

constexpr std::array<std::string_view, 11> kMigrations{kV1,         kV2Remotes,         kV3Config,           kV4Volumes,
                                                       kV5VolumeSnapshots, kV6InstanceSnapshots, kV7SnapshotSlots,
                                                       kV8Journal,  kV9ServerState,     kV10Networks, kV11ProjectsConfig};

}  // namespace

std::span<const std::string_view> schema_migrations() { return kMigrations; }

}  // namespace li
