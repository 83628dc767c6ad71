#pragma once
// li::ProjectStore: the projects of a state directory (LXD's /1.0/projects).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/project.hpp"

namespace li {

class ManagerCore;

/// The projects of one Manager. Every other store takes the project explicitly; an unknown
/// project is NotFound (key "project") there. The `default` project always exists and cannot be
/// renamed or deleted, nor its features changed.
///
/// Features (LXD's): with features.images / features.profiles / features.storage.volumes /
/// features.networks "true" a project has its own images (and aliases), profiles, custom volumes
/// or networks; with "false" it uses (and creates into) the default project's. New projects get
/// features.images, features.profiles and features.storage.volumes "true" and
/// features.networks "false" unless told otherwise; features change only while the project is
/// empty. A project with its own profiles gets a `default` profile with no devices.
///
/// Limits (limits.instances, limits.containers, limits.virtual-machines, limits.cpu,
/// limits.memory, limits.processes, limits.disk, limits.networks) are enforced whenever an
/// instance, a profile, a custom volume or a network of the project is created or changed: a
/// change that would exceed one is refused with InvalidArgument whose key is the limit
/// ("limits.instances") and whose message gives the limit and the current use. With an aggregate
/// limit (cpu, memory, processes, disk) set, every instance must set the matching key (root disk
/// `size` for limits.disk), directly or through a profile.
///
/// Restrictions (restricted=true, then restricted.*, with LXD's defaults) are checked on the
/// same changes: forbidden config or devices of an instance or a profile are refused with
/// PermissionDenied whose key names the offending field ("config.security.privileged",
/// "devices.<name>"). Snapshots and backups need restricted.snapshots / restricted.backups
/// "allow" in a restricted project.
class ProjectStore {
public:
    explicit ProjectStore(std::shared_ptr<ManagerCore> core);

    /// Creates a project and emits project-created. InvalidArgument (key "name") for a bad
    /// name, (key "config.<key>") for an unknown key or a bad value; AlreadyExists (key "name").
    api::Project create(const api::ProjectsPost& post);
    /// NotFound (key "name") when there is no such project.
    api::Project get(std::string_view name);
    /// Every project, by name.
    std::vector<api::Project> list();
    bool exists(std::string_view name);
    /// The ETag of a project's writable fields, as LXD sends it.
    std::string etag(std::string_view name);
    /// Replaces description and config (LXD's PUT) and emits project-updated. With if_match,
    /// Conflict (key "etag") unless it equals etag(). Refused, changing nothing: a bad key or value
    /// (InvalidArgument "config.<key>"); a feature change on the default project (InvalidArgument)
    /// or on a project that is not empty (Conflict, key "config.<feature>"); a limit below the
    /// current use (InvalidArgument "config.<limit>", naming the use); a restriction that what
    /// is already in the project breaks (PermissionDenied, naming it).
    void update(std::string_view name, const api::ProjectPut& put, std::string_view if_match = {});
    /// Renames an empty project and emits project-renamed. InvalidArgument (key "name") for
    /// `default`, (key "new_name") for a bad name; AlreadyExists (key "new_name"); Conflict (key
    /// "name") when the project is not empty, naming what it holds.
    void rename(std::string_view name, std::string_view new_name);
    /// Deletes an empty project and emits project-deleted. InvalidArgument (key "name") for
    /// `default`; Conflict (key "name") when not empty, naming what remains (its own `default`
    /// profile does not count).
    void remove(std::string_view name);
    /// What the project uses against its limits (LXD's /1.0/projects/NAME/state).
    api::ProjectState state(std::string_view name);

private:
    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
