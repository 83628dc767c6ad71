#pragma once
// Which project a call's objects live in: the project named (NotFound, key "project", when it does
// not exist) or, for a kind the project shares with `default` (features.* false), `default`.

#include <string>
#include <string_view>

#include "store/project_repo.hpp"

namespace li {

class ManagerCore;

/// The project whose objects of this kind a call made in `project` works on ("" is `default`).
std::string project_scope(ManagerCore& core, std::string_view project, ProjectFeature feature);

}  // namespace li
