#include "image/metadata.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <yaml-cpp/yaml.h>

#include "libinstance/error.hpp"

namespace li {

namespace {

[[noreturn]] void bad(std::string_view field, std::string_view why) {
    throw Error::invalid(fmt::format("metadata.yaml:{}", field), fmt::format("invalid metadata.yaml: {}: {}", field, why));
}

std::map<std::string, std::string> string_map(const YAML::Node& node, std::string_view field) {
    std::map<std::string, std::string> out;
    if (!node || node.IsNull()) return out;
    if (!node.IsMap()) bad(field, "must be a mapping");
    for (const auto& kv : node) {
        if (!kv.second.IsScalar()) bad(fmt::format("{}.{}", field, kv.first.as<std::string>()), "must be a string");
        out[kv.first.as<std::string>()] = kv.second.as<std::string>();
    }
    return out;
}

int64_t integer(const YAML::Node& node, std::string_view field) {
    if (!node || node.IsNull()) return 0;
    try {
        return node.as<int64_t>();
    } catch (const YAML::Exception&) {
        bad(field, "must be an integer (seconds since the epoch)");
    }
}

}  // namespace

ImageMetadata parse_image_metadata(std::string_view yaml) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        throw Error::invalid("metadata.yaml", fmt::format("invalid metadata.yaml: {}", e.what()));
    }
    if (!root.IsMap()) bad("(document)", "must be a mapping");
    ImageMetadata md;
    if (!root["architecture"] || !root["architecture"].IsScalar()) bad("architecture", "missing");
    md.architecture = root["architecture"].as<std::string>();
    md.creation_date = integer(root["creation_date"], "creation_date");
    md.expiry_date = integer(root["expiry_date"], "expiry_date");
    md.properties = string_map(root["properties"], "properties");
    if (const YAML::Node templates = root["templates"]; templates && !templates.IsNull()) {
        if (!templates.IsMap()) bad("templates", "must be a mapping");
        for (const auto& kv : templates) {
            std::string target = kv.first.as<std::string>();
            const YAML::Node& t = kv.second;
            std::string field = "templates." + target;
            if (!t.IsMap()) bad(field, "must be a mapping");
            ImageTemplate tpl;
            if (!t["template"] || !t["template"].IsScalar()) bad(field + ".template", "missing");
            tpl.template_file = t["template"].as<std::string>();
            if (const YAML::Node when = t["when"]; when) {
                if (!when.IsSequence()) bad(field + ".when", "must be a list");
                for (const auto& w : when) tpl.when.push_back(w.as<std::string>());
            }
            if (t["create_only"]) tpl.create_only = t["create_only"].as<bool>();
            tpl.properties = string_map(t["properties"], field + ".properties");
            md.templates[target] = std::move(tpl);
        }
    }
    return md;
}

std::string render_image_metadata(const ImageMetadata& md) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "architecture" << YAML::Value << md.architecture;
    out << YAML::Key << "creation_date" << YAML::Value << md.creation_date;
    if (md.expiry_date) out << YAML::Key << "expiry_date" << YAML::Value << md.expiry_date;
    out << YAML::Key << "properties" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : md.properties) out << YAML::Key << k << YAML::Value << v;
    out << YAML::EndMap;
    out << YAML::Key << "templates" << YAML::Value << YAML::BeginMap;
    for (const auto& [target, t] : md.templates) {
        out << YAML::Key << target << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "when" << YAML::Value << YAML::Flow << t.when;
        out << YAML::Key << "template" << YAML::Value << t.template_file;
        if (t.create_only) out << YAML::Key << "create_only" << YAML::Value << true;
        if (!t.properties.empty()) {
            out << YAML::Key << "properties" << YAML::Value << YAML::BeginMap;
            for (const auto& [k, v] : t.properties) out << YAML::Key << k << YAML::Value << v;
            out << YAML::EndMap;
        }
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

std::string host_architecture() {
    struct utsname u {};
    ::uname(&u);
    return u.machine;
}

std::string normalize_architecture(std::string_view name) {
    static const std::map<std::string_view, std::string_view> aliases{
        {"amd64", "x86_64"}, {"x64", "x86_64"},
        {"i386", "i686"}, {"i486", "i686"}, {"i586", "i686"}, {"386", "i686"}, {"x86", "i686"},
        {"arm64", "aarch64"}, {"armv8", "aarch64"}, {"arm64v8", "aarch64"},
        {"armhf", "armv7l"}, {"armel", "armv7l"}, {"arm", "armv7l"}, {"armv7", "armv7l"},
        {"ppc64el", "ppc64le"}, {"powerpc64le", "ppc64le"}, {"powerpc", "ppc"}, {"powerpc64", "ppc64"},
        {"riscv64gc", "riscv64"},
    };
    auto it = aliases.find(name);
    return std::string(it == aliases.end() ? name : it->second);
}

bool architecture_runs_on_host(std::string_view architecture) {
    std::string host = normalize_architecture(host_architecture());
    std::string arch = normalize_architecture(architecture);
    if (arch == host) return true;
    if (host == "x86_64") return arch == "i686";
    if (host == "aarch64") return arch == "armv7l" || arch == "armv8l";
    if (host == "ppc64") return arch == "ppc";
    if (host == "s390x") return arch == "s390";
    return false;
}

}  // namespace li
