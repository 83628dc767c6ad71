// gen-config-docs: writes docs/reference/config-keys.md from the config key registry
// (lib/config), so the reference can never drift from what libinstance validates.
//
//   gen-config-docs FILE           writes the reference to FILE (- for stdout)
//   gen-config-docs --check FILE   exits 1 when FILE differs from what would be written
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "config/config_key.hpp"
#include "config/device_keys.hpp"
#include "project/project_keys.hpp"

namespace {

using li::config::ConfigKey;

// The headings of the key groups (a key's group is its first dot-separated word); a group not
// listed here is titled by that word.
const std::map<std::string, std::string> kGroupTitles = {
    {"boot", "Boot"},
    {"environment", "Environment"},
    {"image", "Image properties"},
    {"limits", "Resource limits"},
    {"migration", "Migration"},
    {"nvidia", "NVIDIA"},
    {"raw", "Raw overrides"},
    {"security", "Security"},
    {"snapshots", "Snapshots"},
    {"user", "User data"},
};

std::string group_of(const std::string& key) { return key.substr(0, key.find('.')); }

// A table cell: pipes would end the cell and newlines the row.
std::string cell(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '|') out += "\\|";
        else if (c == '\n') out += ' ';
        else out += c;
    }
    return out;
}

std::string code_or_dash(const std::string& value) { return value.empty() ? "-" : "`" + cell(value) + "`"; }

std::string render() {
    std::string out;
    out +=
        "# Configuration keys\n\n"
        "<!-- Generated from the key registry (lib/config) by tools/gen-config-docs: do not edit.\n"
        "     Regenerate with `ninja -C <build dir> gen-config-docs`; the unit suite fails while this\n"
        "     file differs from the registry. -->\n\n"
        "Every key libinstance accepts on an instance or a profile, as `inst config set`, the C++\n"
        "`Instance::set_config`/`update`, the C ABI's `li_instance_config_set`/`li_instance_update_json`\n"
        "and the bindings take it. A key not listed is refused, except the prefixes shown with `*`.\n"
        "`volatile.*` keys belong to libinstance: they are shown but cannot be set. A bad value is\n"
        "refused naming the key (`config.<key>`) and the value, and changes nothing.\n\n"
        "- **Scope**: `instance` keys apply to every instance type, `container` keys to containers only.\n"
        "- **Live**: `yes` when a change applies to a running instance at once; otherwise at the next start.\n";

    std::string group;
    for (const ConfigKey& k : li::config::instance_keys()) {
        if (group_of(k.name) != group) {
            group = group_of(k.name);
            auto title = kGroupTitles.find(group);
            out += fmt::format("\n## {}\n\n", title == kGroupTitles.end() ? group : title->second);
            out += "| Key | Type | Default | Scope | Live | Description |\n";
            out += "| --- | --- | --- | --- | --- | --- |\n";
        }
        out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", cell(k.name), cell(k.type), code_or_dash(k.default_value),
                           li::config::scope_name(k.scope), k.live ? "yes" : "no", cell(k.doc));
    }

    out +=
        "\n## Devices\n\n"
        "Devices are maps of keys with a `type`. Every key of a type is listed; other keys are refused\n"
        "(`devices.<name>.<key>`). **Hot-plug** types can be added to and removed from a running\n"
        "container.\n";
    for (const auto& t : li::config::device_types()) {
        out += fmt::format("\n### {}\n\n{}{}Hot-plug: {}.\n", t.type, cell(t.doc), t.doc.empty() ? "" : (t.doc.back() == '.' ? " " : ". "), t.hotplug ? "yes" : "no");
        if (t.keys.empty()) {
            out += "\nNo keys besides `type`.\n";
            continue;
        }
        out += "\n| Key | Type | Default | Scope | Description |\n| --- | --- | --- | --- | --- |\n";
        for (const ConfigKey& k : t.keys)
            out += fmt::format("| `{}` | {} | {} | {} | {} |\n", cell(k.name), cell(k.type), code_or_dash(k.default_value),
                               li::config::scope_name(k.scope), cell(k.doc));
    }

    out +=
        "\n## Project keys\n\n"
        "The config of a project (`inst project set`, `ProjectStore::update`, `li_project_update_json`).\n"
        "Features decide whether the project has its own images, profiles, custom volumes and networks\n"
        "or uses the default project's (they change only while the project is empty); limits are\n"
        "refused when a change would exceed them; the `restricted.*` keys apply once `restricted` is\n"
        "true. Defaults are those of a new project (the default project has every feature).\n\n"
        "| Key | Type | Default | Description |\n| --- | --- | --- | --- |\n";
    for (const ConfigKey& k : li::project_keys::keys())
        out += fmt::format("| `{}` | {} | {} | {} |\n", cell(k.name), cell(k.type), code_or_dash(k.default_value), cell(k.doc));
    return out;
}

int usage() {
    std::fprintf(stderr, "usage: gen-config-docs FILE | gen-config-docs --check FILE\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string doc = render();
    if (argc == 3 && std::string(argv[1]) == "--check") {
        std::ifstream in(argv[2]);
        std::stringstream current;
        current << in.rdbuf();
        if (in && current.str() == doc) return 0;
        std::fprintf(stderr,
                     "%s is out of date with the config key registry (lib/config).\n"
                     "Regenerate it with: ninja -C <build dir> gen-config-docs\n",
                     argv[2]);
        return 1;
    }
    if (argc != 2) return usage();
    if (std::string(argv[1]) == "-") {
        std::fputs(doc.c_str(), stdout);
        return 0;
    }
    std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
    out << doc;
    if (!out) {
        std::fprintf(stderr, "writing %s failed\n", argv[1]);
        return 1;
    }
    return 0;
}
