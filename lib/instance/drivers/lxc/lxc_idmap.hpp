#pragma once
// The id map of each container: the host's shared range, an isolated range of its own
// (security.idmap.isolated, allocated without overlapping any other isolated container and kept
// in volatile.idmap.*), or none for a privileged container.

#include <optional>
#include <vector>

#include "instance/instance_driver.hpp"
#include "sys/idmap.hpp"

namespace li {

class ManagerCore;

/// The lowest base in [host.host_start + 65536, host end) where `size` ids overlap none of
/// `taken`; nullopt when none fits. (The first 65536 ids are what shared-map containers use.)
std::optional<uint64_t> find_free_idmap_base(const IdRange& host, uint64_t size, std::vector<IdRange> taken);

/// The map the container runs (or would run) with, from its expanded config and volatile keys;
/// a privileged container gets the identity map of every id.
IdMap container_idmap(ManagerCore& core, const api::ConfigMap& config);

/// At start: the container's map, allocating an isolated range when it needs one (or its
/// security.idmap.* changed) and storing volatile.idmap.base/current/next and
/// volatile.last_state.idmap. NotSupported naming "config.security.idmap.isolated" when the
/// host range has no room left; InvalidArgument for a security.idmap.base outside it.
IdMap assign_container_idmap(ManagerCore& core, const InstanceSpec& spec);

}  // namespace li
