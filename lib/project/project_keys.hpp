#pragma once
// The project config keys (LXD's names): features, limits and restrictions, described once for
// validation and the reference documentation.

#include <string_view>
#include <vector>

#include "config/config_key.hpp"

namespace li::project_keys {

/// Every project key, in documentation order (user.* is free-form).
const std::vector<config::ConfigKey>& keys();
/// A restriction's value when the project does not set it (LXD's defaults), "" for unknown.
std::string_view restriction_default(std::string_view key);
/// The features, in LXD's order.
const std::vector<std::string_view>& feature_keys();

/// Checks a project's config: every key known (or user.*) with a valid value. InvalidArgument
/// naming "config.<key>" and quoting the value.
void validate(const api::ConfigMap& config);

}  // namespace li::project_keys
