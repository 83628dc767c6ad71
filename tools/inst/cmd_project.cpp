// project list/create/delete/rename/show/edit/get/set/unset/switch/info: the projects of the
// state directory over ProjectStore, with lxc 5.0.2's syntax and output. The current project
// (switch) lives in inst's own config, as lxc keeps it in its config.yml.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fmt/format.h>
#include <functional>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "commands.hpp"
#include "config_args.hpp"
#include "context.hpp"
#include "current_project.hpp"
#include "editor.hpp"
#include "humanize.hpp"
#include "libinstance/error.hpp"
#include "libinstance/project.hpp"
#include "output.hpp"
#include "remote_ref.hpp"
#include "yaml_documents.hpp"

namespace li::cli {

namespace {

// `[<remote>:]<project>` as lxc reads it: no prefix is the default remote, "local:" this state
// directory.
RemoteRef project_ref(Context& ctx, const ParsedArgs& args, size_t i = 0) {
    RemoteRef ref = instance_ref(ctx, args.positional.at(i));
    if (ref.name.empty()) throw UsageError("Missing project name");
    return ref;
}

std::string project_arg(Context& ctx, const ParsedArgs& args, size_t i = 0) { return project_ref(ctx, args, i).name; }

/// The projects of the server the first argument names.
ProjectStore& projects(Context& ctx, const ParsedArgs& args) { return ctx.manager(project_ref(ctx, args).remote).projects(); }

std::string read_stdin() { return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>()); }

// api.Project in Go's field order (ProjectPut inlined first), as lxc's YAML and JSON show it.
nlohmann::ordered_json project_doc(const api::Project& p) {
    return nlohmann::ordered_json{{"config", p.config}, {"description", p.description}, {"name", p.name}, {"used_by", p.used_by}};
}

// A ProjectPut from YAML: config and description; the rest of what `show` prints (name,
// used_by) is read-only and ignored, as lxc ignores it.
api::ProjectPut put_from_yaml(const std::string& text) {
    api::ProjectPut put;
    read_yaml_document(text, "project", [&](const YAML::Node& doc) {
        put.description = yaml_description(doc);
        put.config = yaml_string_map(doc["config"], "config");
    });
    return put;
}

// Read, change, write back with the ETag read, so a concurrent change is refused, not lost.
void modify_project(Context& ctx, const ParsedArgs& args, const std::string& name, const std::function<void(api::ProjectPut&)>& change) {
    std::string etag = projects(ctx, args).etag(name);
    api::ProjectPut put = api::put_of(projects(ctx, args).get(name));
    change(put);
    projects(ctx, args).update(name, put, etag);
}

// `project list [<remote>:]`: the local store's or an lxd remote's projects (the default
// remote's without an argument); image servers have none.
Manager& server_of(Context& ctx, const ParsedArgs& args, std::string* name = nullptr) {
    std::string remote = args.positional.empty() ? ctx.default_remote() : args.positional[0];
    if (remote.ends_with(":")) remote.pop_back();
    if (name) *name = remote == "local" ? "" : remote;
    if (remote.empty() || remote == "local") return ctx.manager();
    for (const auto& r : ctx.manager().remotes().list()) {
        if (r.name != remote) continue;
        if (r.protocol != "lxd") throw UsageError("The remote isn't a private server");
        return ctx.manager(remote);
    }
    throw Error(ErrorCode::NotFound, fmt::format("The remote \"{}\" doesn't exist", remote), "remote");
}

// LXD's shared.IsTrue.
bool is_true(const api::ConfigMap& config, const std::string& key) {
    auto it = config.find(key);
    if (it == config.end()) return false;
    std::string v = it->second;
    std::transform(v.begin(), v.end(), v.begin(), ::tolower);
    return v == "true" || v == "1" || v == "yes" || v == "on";
}

int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    std::string remote;
    auto list = server_of(ctx, args, &remote).projects().list();
    // As lxc: the marker is on the project switched to on that server, whatever --project says.
    std::string current = current_project(ctx.options().state_dir, remote);
    std::vector<Row> rows;
    nlohmann::ordered_json raw = nlohmann::ordered_json::array();
    for (const auto& p : list) {
        raw.push_back(project_doc(p));
        auto feature = [&](const char* key) { return is_true(p.config, key) ? "YES" : "NO"; };
        rows.push_back({p.name == current ? p.name + " (current)" : p.name, feature("features.images"),
                        feature("features.profiles"), feature("features.storage.volumes"), feature("features.networks"),
                        p.description, std::to_string(p.used_by.size())});
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a[0] < b[0]; });
    Row header = {"NAME", "IMAGES", "PROFILES", "STORAGE VOLUMES", "NETWORKS", "DESCRIPTION", "USED BY"};
    std::fputs(render(format, header, rows, raw.dump()).c_str(), stdout);
    return 0;
}

int run_create(Context& ctx, const ParsedArgs& args) {
    api::ProjectsPost post;
    post.name = project_arg(ctx, args);
    for (const auto& entry : args.list("config")) {
        auto eq = entry.find('=');
        if (eq == std::string::npos) throw UsageError(fmt::format("Bad key=value pair: {}", entry));
        post.config[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    projects(ctx, args).create(post);
    if (!ctx.quiet()) std::printf("Project %s created\n", post.name.c_str());
    return 0;
}

int run_delete(Context& ctx, const ParsedArgs& args) {
    RemoteRef ref = project_ref(ctx, args);
    const std::string& name = ref.name;
    projects(ctx, args).remove(name);
    if (!ctx.quiet()) std::printf("Project %s deleted\n", name.c_str());
    // As lxc: deleting the current project (of that server) switches back to default.
    if (current_project(ctx.options().state_dir, ref.remote) == name) set_current_project(ctx.options().state_dir, "default", ref.remote);
    return 0;
}

int run_rename(Context& ctx, const ParsedArgs& args) {
    RemoteRef ref = project_ref(ctx, args);
    std::string name = ref.name, new_name = project_arg(ctx, args, 1);
    projects(ctx, args).rename(name, new_name);
    if (!ctx.quiet()) std::printf("Project %s renamed to %s\n", name.c_str(), new_name.c_str());
    // lxc would leave its config naming a project that is gone; following the rename is kinder.
    if (current_project(ctx.options().state_dir, ref.remote) == name) set_current_project(ctx.options().state_dir, new_name, ref.remote);
    return 0;
}

int run_show(Context& ctx, const ParsedArgs& args) {
    std::fputs(render_yaml(project_doc(projects(ctx, args).get(project_arg(ctx, args))).dump()).c_str(), stdout);
    return 0;
}

const char* const edit_help =
    "### This is a YAML representation of the project.\n"
    "### Any line starting with a '# will be ignored.\n"
    "###\n"
    "### A project consists of a set of features and a description.\n"
    "###\n"
    "### An example would look like:\n"
    "### name: my-project\n"
    "### features:\n"
    "###   images: True\n"
    "###   profiles: True\n"
    "### description: My own project\n"
    "###\n"
    "### Note that the name is shown but cannot be changed\n\n";

// As lxc: YAML from stdin when it is not a terminal, else the project in $EDITOR until accepted.
int run_edit(Context& ctx, const ParsedArgs& args) {
    std::string name = project_arg(ctx, args);
    if (!::isatty(STDIN_FILENO)) {
        projects(ctx, args).update(name, put_from_yaml(read_stdin()));
        return 0;
    }
    std::string etag = projects(ctx, args).etag(name);
    api::Project current = projects(ctx, args).get(name);
    edit_until_accepted(edit_help + render_yaml(project_doc(current).dump()),
                        [&](const std::string& text) { projects(ctx, args).update(name, put_from_yaml(text), etag); });
    return 0;
}

// As lxc 5.0.2: the value and a newline, an empty line when the key is not set.
int run_get(Context& ctx, const ParsedArgs& args) {
    api::Project p = projects(ctx, args).get(project_arg(ctx, args));
    auto it = p.config.find(args.positional[1]);
    std::printf("%s\n", it == p.config.end() ? "" : it->second.c_str());
    return 0;
}

// lxc's forms: "<key>=<value>..." or "<key> <value>"; an empty value unsets the key.
int run_set(Context& ctx, const ParsedArgs& args) {
    std::string name = project_arg(ctx, args);
    api::ConfigMap values = key_values({args.positional.begin() + 1, args.positional.end()});
    modify_project(ctx, args, name, [&](api::ProjectPut& put) {
        for (const auto& [k, v] : values) {
            if (v.empty()) put.config.erase(k);
            else put.config[k] = v;
        }
    });
    return 0;
}

// As lxc (set with an empty value): unsetting a key that is not set is not an error.
int run_unset(Context& ctx, const ParsedArgs& args) {
    modify_project(ctx, args, project_arg(ctx, args), [&](api::ProjectPut& put) { put.config.erase(args.positional[1]); });
    return 0;
}

// As lxc: silent; an unknown project is refused and leaves the current one as it was. Each
// server (the state directory's store, each lxd remote) has its own current project.
int run_switch(Context& ctx, const ParsedArgs& args) {
    RemoteRef ref = project_ref(ctx, args);
    projects(ctx, args).get(ref.name);
    set_current_project(ctx.options().state_dir, ref.name, ref.remote);
    return 0;
}

// api.ProjectState as lxc prints it: JSON keeps Go's field names ("Limit"), yaml.v2 lowercases them.
std::string state_doc(const api::ProjectState& state, bool yaml) {
    nlohmann::ordered_json resources = nlohmann::ordered_json::object();
    for (const auto& [name, r] : state.resources)
        resources[name] = nlohmann::ordered_json{{yaml ? "limit" : "Limit", r.limit}, {yaml ? "usage" : "Usage", r.usage}};
    return nlohmann::ordered_json{{"resources", resources}}.dump();
}

// lxc 5.0.2's table: RESOURCE | LIMIT | USAGE, UNLIMITED for no limit, disk and memory in IEC sizes.
int run_info(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    api::ProjectState state = projects(ctx, args).state(project_arg(ctx, args));
    std::vector<Row> rows;
    for (const auto& [name, r] : state.resources) {
        bool bytes = name == "disk" || name == "memory";
        auto shown = [&](int64_t n) { return bytes ? size_iec(n) : std::to_string(n); };
        std::string upper = name;
        std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
        rows.push_back({upper, r.limit >= 0 ? shown(r.limit) : "UNLIMITED", shown(r.usage)});
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a[0] < b[0]; });
    std::fputs(render(format, {"RESOURCE", "LIMIT", "USAGE"}, rows, state_doc(state, format == Format::Yaml)).c_str(), stdout);
    return 0;
}

const char* const format_help = "Format (csv|json|table|yaml|compact) (default \"table\")";

}  // namespace

Command project_command() {
    Command cmd;
    cmd.name = "project";
    cmd.summary = "Manage projects";
    cmd.description =
        "Manage projects\n\n"
        "A project holds instances apart from those of other projects, with its own images, profiles\n"
        "and custom volumes where features.images, features.profiles and features.storage.volumes are\n"
        "true (new projects' default; with false it shares the default project's), its own networks\n"
        "with features.networks=true, limits (limits.*) and restrictions (restricted=true).\n\n"
        "Every command works in the current project: --project if given, else the one set by\n"
        "\"inst project switch\" for this state directory, else \"default\". The current project is kept\n"
        "in inst's config ($INST_CONF, else $XDG_CONFIG_HOME/inst, else ~/.config/inst).";

    Command create = subcommand("create", "<project>", "Create projects", 1, 1, run_create);
    create.flags = {{"config", 'c', FlagKind::StringList, "Config key/value to apply to the new project"}};
    create.examples = "inst project create p1 -c features.images=false -c limits.instances=5";
    cmd.children.push_back(std::move(create));

    Command del = subcommand("delete", "<project>", "Delete projects", 1, 1, run_delete);
    del.aliases = {"rm"};
    cmd.children.push_back(std::move(del));

    Command edit = subcommand("edit", "<project>", "Edit project configurations as YAML", 1, 1, run_edit);
    edit.examples = "inst project edit <project> < project.yaml\n    Update a project using the content of project.yaml";
    cmd.children.push_back(std::move(edit));

    cmd.children.push_back(subcommand("get", "<project> <key>", "Get values for project configuration keys", 2, 2, run_get));

    Command info = subcommand("info", "<project>", "Get a summary of resource allocations", 1, 1, run_info);
    info.flags = {{"format", 'f', FlagKind::String, format_help}};
    cmd.children.push_back(std::move(info));

    Command list = subcommand("list", "[<remote>:]", "List projects", 0, 1, run_list);
    list.aliases = {"ls"};
    list.flags = {{"format", 'f', FlagKind::String, format_help}};
    cmd.children.push_back(std::move(list));

    Command rename = subcommand("rename", "<project> <new-name>", "Rename projects", 2, 2, run_rename);
    rename.aliases = {"mv"};
    cmd.children.push_back(std::move(rename));

    Command set = subcommand("set", "<project> <key>=<value>...", "Set project configuration keys", 2, -1, run_set);
    set.description =
        "Set project configuration keys\n\n"
        "For backward compatibility, a single configuration key may still be set with:\n"
        "    inst project set <project> <key> <value>";
    cmd.children.push_back(std::move(set));

    cmd.children.push_back(subcommand("show", "<project>", "Show project options", 1, 1, run_show));
    cmd.children.push_back(subcommand("switch", "<project>", "Switch the current project", 1, 1, run_switch));
    cmd.children.push_back(subcommand("unset", "<project> <key>", "Unset project configuration keys", 2, 2, run_unset));
    return cmd;
}

}  // namespace li::cli
