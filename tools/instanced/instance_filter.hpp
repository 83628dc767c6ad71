#pragma once
// LXD's `filter=` query parameter for instance lists (what `lxc list key=value` sends):
// `FIELD eq|ne VALUE` clauses joined by `and`/`or` (and before or), with `not` before a clause.
// Fields: name, status, type, architecture, description, location, ephemeral, project,
// config.KEY / expanded_config.KEY. An empty filter matches everything.

#include <string>
#include <vector>

#include "libinstance/api/instance.hpp"

namespace li::daemon {

class InstanceFilter {
public:
    /// InvalidArgument (key "filter") for what is not in the language above.
    static InstanceFilter parse(const std::string& text);
    bool matches(const api::Instance& instance) const;

private:
    struct Clause {
        std::string field;
        bool equal = true;
        bool negate = false;
        std::string value;
    };
    std::vector<std::vector<Clause>> any_of_;  // or of ands
};

}  // namespace li::daemon
