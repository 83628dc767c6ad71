#pragma once
// LXD REST schema types for profiles (api.ProfilesPost, api.ProfilePut, api.Profile).

#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/instance.hpp"

namespace li::api {

/// LXD's api.ProfilePut: a profile's writable fields (PUT replaces them all).
struct ProfilePut {
    std::string description;
    ConfigMap config;
    DeviceMap devices;
};

/// LXD's api.ProfilesPost: what creating a profile takes.
struct ProfilesPost {
    std::string name;
    std::string description;
    ConfigMap config;
    DeviceMap devices;
};

/// LXD's api.Profile.
struct Profile {
    std::string name;
    std::string description;
    ConfigMap config;
    DeviceMap devices;
    /// API URLs of the instances using it ("/1.0/instances/c1", "?project=p" outside default).
    std::vector<std::string> used_by;
};

/// Parses a ProfilesPost document; bad fields raise InvalidArgument naming the field.
ProfilesPost profiles_post_from_json(std::string_view json);
/// Parses a ProfilePut document (a whole Profile is accepted; name and used_by are ignored).
ProfilePut profile_put_from_json(std::string_view json);
std::string to_json(const ProfilesPost& post);
std::string to_json(const ProfilePut& put);
std::string to_json(const Profile& profile);
std::string to_json(const std::vector<Profile>& profiles);
/// The writable fields of a profile (what a GET then PUT sends back).
ProfilePut put_of(const Profile& profile);

}  // namespace li::api
