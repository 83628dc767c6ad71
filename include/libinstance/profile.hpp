#pragma once
// li::ProfileStore: the profiles of a state directory (LXD's /1.0/profiles).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/profile.hpp"

namespace li {

class ManagerCore;

/// The profiles of one Manager, scoped by project. Every project an instance is created in uses
/// that project's profiles; the default project has the `default` profile (a root disk on the
/// default pool), which can be changed but neither renamed nor deleted.
///
/// A profile's config and devices are validated as a profile's (InvalidArgument naming
/// "config.<key>" or "devices.<name>[.<key>]" and quoting the value). A change is also checked
/// against every instance using the profile, as that instance would be expanded afterwards (e.g.
/// it must keep a root disk on the same pool); a refusal names the instance and changes nothing.
class ProfileStore {
public:
    explicit ProfileStore(std::shared_ptr<ManagerCore> core);

    /// Creates a profile and emits profile-created. InvalidArgument (key "name") for a bad name,
    /// AlreadyExists (key "name") when the project has one of that name.
    api::Profile create(std::string_view project, const api::ProfilesPost& post);
    /// NotFound (key "name") when there is no such profile.
    api::Profile get(std::string_view project, std::string_view name);
    /// The profiles of a project, by name.
    std::vector<api::Profile> list(std::string_view project);
    bool exists(std::string_view project, std::string_view name);
    /// The ETag of a profile's writable fields, as LXD sends it.
    std::string etag(std::string_view project, std::string_view name);
    /// Replaces description, config and devices (LXD's PUT) and emits profile-updated. With
    /// if_match, Conflict (key "etag") unless it equals etag(). Running instances using the
    /// profile get the change live (as Instance::update() would apply it); the change is stored
    /// first, so when applying it to a running instance fails, the profile keeps the change (as in
    /// LXD) and the call fails with that error, its message naming each instance that failed.
    void update(std::string_view project, std::string_view name, const api::ProfilePut& put,
                std::string_view if_match = {});
    /// Renames a profile (instances keep using it under the new name) and emits profile-renamed.
    /// InvalidArgument (key "name") for `default`; AlreadyExists (key "new_name") when taken.
    void rename(std::string_view project, std::string_view name, std::string_view new_name);
    /// Deletes a profile and emits profile-deleted. InvalidArgument (key "name") for `default`;
    /// Conflict (key "name") while instances use it, naming them.
    void remove(std::string_view project, std::string_view name);

private:
    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
