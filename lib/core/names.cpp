#include "core/names.hpp"

#include <cctype>
#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li {

std::string project_or_default(std::string_view project) {
    return project.empty() ? std::string("default") : std::string(project);
}

std::string project_prefixed_name(const std::string& project, const std::string& name) {
    return project == "default" ? name : project + "_" + name;
}

void validate_instance_name(std::string_view name) {
    auto fail = [&](std::string_view why) {
        throw Error::invalid("name", fmt::format("invalid instance name \"{}\": {}", name, why));
    };
    if (name.empty()) fail("it is empty");
    if (name.size() > 63) fail("longer than 63 characters");
    for (char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-'))
            fail(fmt::format("only letters, digits and '-' are allowed, not '{}'", c == ' ' ? std::string("space") : std::string(1, c)));
    }
    if (std::isdigit(static_cast<unsigned char>(name.front()))) fail("it starts with a digit");
    if (name.front() == '-') fail("it starts with '-'");
    if (name.back() == '-') fail("it ends with '-'");
}

void validate_alias_name(std::string_view alias, std::string_view key) {
    auto fail = [&](std::string_view why) {
        throw Error::invalid(std::string(key), fmt::format("invalid image alias \"{}\": {}", alias, why));
    };
    if (alias.empty()) fail("it is empty");
    if (alias.size() > 255) fail("longer than 255 characters");
    for (char c : alias) {
        if (std::iscntrl(static_cast<unsigned char>(c))) fail("control characters are not allowed");
    }
}

void validate_snapshot_name(std::string_view name, std::string_view key) {
    auto fail = [&](std::string_view why) {
        throw Error::invalid(std::string(key), fmt::format("invalid snapshot name \"{}\": {}", name, why));
    };
    if (name.empty()) fail("it is empty");
    if (name.size() > 255) fail("longer than 255 characters");
    if (name == "." || name == "..") fail("it is a path component");
    if (name.ends_with(".creating")) fail("the suffix \".creating\" is reserved");
    for (char c : name) {
        if (c == '/') fail("'/' separates an object from its snapshot");
        if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
            fail("no whitespace or control characters");
    }
}

}  // namespace li
