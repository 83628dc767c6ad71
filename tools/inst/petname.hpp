#pragma once
// Random instance names like LXD's ("adjective-animal"), for `launch`/`init` without a name.

#include <string>

namespace li::cli {

/// A fresh random name, valid as an instance name.
std::string random_instance_name();

}  // namespace li::cli
