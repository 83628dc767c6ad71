// image build/import/list/delete/show/info: the image store of a project.
#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "context.hpp"
#include "humanize.hpp"
#include "libinstance/api/image.hpp"
#include "libinstance/error.hpp"
#include "operation_wait.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

// The first --alias goes with the image itself; more are added afterwards, like lxc does.
void add_more_aliases(Context& ctx, const std::vector<std::string>& aliases, const std::string& fingerprint) {
    for (size_t i = 1; i < aliases.size(); ++i) ctx.manager().images().create_alias(ctx.project(), aliases[i], fingerprint);
}

// The image's fingerprint, which a build or import operation leaves in its metadata.
std::string fingerprint_of(const Operation& op) {
    auto meta = op.info().metadata;
    auto it = meta.find("fingerprint");
    if (it == meta.end()) throw Error(ErrorCode::Internal, "the operation succeeded but reported no image fingerprint");
    return it->second;
}

int run_build(Context& ctx, const ParsedArgs& args) {
    ImageBuildOptions opts;
    opts.builder = args.positional[0];
    auto aliases = args.list("alias");
    if (!aliases.empty()) opts.alias = aliases[0];
    opts.output_path = args.string_or("output", "");
    opts.release = args.string_or("release", opts.release);
    opts.variant = args.string_or("variant", opts.variant);
    opts.mirror = args.string_or("mirror", "");
    opts.packages = args.list("package");
    opts.init = args.string_or("init", opts.init);
    opts.cache_dir = args.string_or("cache-dir", "");
    if (opts.builder != "debian") {
        for (const char* flag : {"variant", "mirror", "package", "init"})
            if (args.has(flag)) throw UsageError(fmt::format("--{} only applies to the debian builder", flag));
        if (opts.builder != "debian-vm")
            for (const char* flag : {"release", "cache-dir"})
                if (args.has(flag)) throw UsageError(fmt::format("--{} only applies to the debian and debian-vm builders", flag));
    }
    ProgressRenderer progress("Building image: ", ctx.quiet(), ctx.progress_bars());
    Operation op = run_operation(ctx, progress, [&] { return ctx.manager().images().build_async(ctx.project(), opts); });
    std::string fingerprint = fingerprint_of(op);
    add_more_aliases(ctx, aliases, fingerprint);
    progress.done(fmt::format("Image built with fingerprint: {}", fingerprint));
    return 0;
}

std::string description_of(const api::Image& img) {
    auto it = img.properties.find("description");
    return it == img.properties.end() ? std::string() : it->second;
}

std::string shortest_alias(const api::Image& img) {
    std::string shortest;
    for (const auto& a : img.aliases)
        if (shortest.empty() || (!a.name.empty() && a.name.size() < shortest.size())) shortest = a.name;
    if (img.aliases.size() > 1) shortest += fmt::format(" ({} more)", img.aliases.size() - 1);
    return shortest;
}

using ImageColumn = std::pair<std::string, std::function<std::string(const api::Image&)>>;

std::vector<ImageColumn> image_columns(const std::string& spec) {
    static const std::map<char, ImageColumn> map = {
        {'l', {"ALIAS", shortest_alias}},
        {'L', {"ALIASES",
               [](const api::Image& i) {
                   std::vector<std::string> names;
                   for (const auto& a : i.aliases) names.push_back(a.name);
                   std::sort(names.begin(), names.end());
                   std::string out;
                   for (const auto& n : names) out += (out.empty() ? "" : "\n") + n;
                   return out;
               }}},
        {'f', {"FINGERPRINT", [](const api::Image& i) { return i.fingerprint.substr(0, 12); }}},
        {'F', {"FINGERPRINT", [](const api::Image& i) { return i.fingerprint; }}},
        {'p', {"PUBLIC", [](const api::Image& i) { return std::string(i.public_ ? "yes" : "no"); }}},
        {'d', {"DESCRIPTION", description_of}},
        {'a', {"ARCHITECTURE", [](const api::Image& i) { return i.architecture; }}},
        {'s', {"SIZE", [](const api::Image& i) { return fmt::format("{:.2f}MiB", static_cast<double>(i.size) / 1024 / 1024); }}},
        {'t', {"TYPE",
               [](const api::Image& i) {
                   std::string t = i.type.empty() ? "container" : i.type;
                   std::transform(t.begin(), t.end(), t.begin(), ::toupper);
                   return t;
               }}},
        {'u', {"UPLOAD DATE",
               [](const api::Image& i) {
                   auto t = parse_rfc3339(i.uploaded_at);
                   return t ? format_upload_date(*t) : std::string();
               }}},
    };
    std::vector<ImageColumn> out;
    for (const auto& entry : split_column_spec(spec)) {
        for (char c : entry) {
            auto it = map.find(c);
            if (it == map.end()) throw UsageError(fmt::format("Unknown column shorthand char '{}' in '{}'", c, entry));
            out.push_back(it->second);
        }
    }
    return out;
}

// lxc's image filters: a bare word matches part of an alias or of the fingerprint; key=value a property.
bool image_matches(const api::Image& img, const std::string& filter) {
    auto eq = filter.find('=');
    if (eq != std::string::npos) {
        auto it = img.properties.find(filter.substr(0, eq));
        return it != img.properties.end() && it->second == filter.substr(eq + 1);
    }
    if (img.fingerprint.find(filter) != std::string::npos) return true;
    return std::any_of(img.aliases.begin(), img.aliases.end(),
                       [&](const auto& a) { return a.name.find(filter) != std::string::npos; });
}

int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    auto columns = image_columns(args.string_or("columns", "lfpdatsu"));
    std::vector<api::Image> shown;
    std::vector<std::string> filters = args.positional;
    for (auto& img : images_for_listing(ctx, filters)) {  // a remote's images for "REMOTE:"
        bool keep = std::all_of(filters.begin(), filters.end(),
                                [&](const std::string& f) { return f.ends_with(":") || image_matches(img, f); });
        if (keep) shown.push_back(std::move(img));
    }
    Row header;
    for (const auto& c : columns) header.push_back(c.first);
    std::vector<Row> rows;
    for (const auto& img : shown) {
        Row r;
        for (const auto& c : columns) r.push_back(c.second(img));
        rows.push_back(std::move(r));
    }
    std::sort(rows.begin(), rows.end());
    std::string raw = (format == Format::Json || format == Format::Yaml) ? api::to_json(shown) : std::string();
    std::fputs(render(format, header, rows, raw).c_str(), stdout);
    return 0;
}

int run_delete(Context& ctx, const ParsedArgs& args) {
    // Each `[<remote>:]<image>` on its own server (no prefix: the default remote).
    return for_each_target(args.positional, [&](const std::string& arg) {
        RemoteRef ref = instance_ref(ctx, arg);
        ctx.manager(ref.remote).images().remove(ctx.project(), ref.name);
    });
}

// `lxc image show` prints the writable part of the image (api.ImagePut) as YAML.
int run_show(Context& ctx, const ParsedArgs& args) {
    api::Image image = image_for_ref(ctx, args.positional[0]);  // a remote's too
    auto doc = nlohmann::ordered_json::parse(api::to_json(image));
    nlohmann::ordered_json put = nlohmann::ordered_json::object();
    for (const char* key : {"auto_update", "properties", "public", "expires_at", "profiles"})
        if (doc.contains(key)) put[key] = doc[key];
    std::fputs(render_yaml(put.dump()).c_str(), stdout);
    return 0;
}

std::string time_or(const std::string& rfc3339, const std::string& fallback) {
    auto t = parse_rfc3339(rfc3339);
    return t ? format_utc_time(*t) : fallback;
}

int run_info(Context& ctx, const ParsedArgs& args) {
    api::Image info = image_for_ref(ctx, args.positional[0]);  // a remote's too
    std::string out;
    out += fmt::format("Fingerprint: {}\n", info.fingerprint);
    out += fmt::format("Size: {:.2f}MiB\n", static_cast<double>(info.size) / 1024 / 1024);
    out += fmt::format("Architecture: {}\n", info.architecture);
    out += fmt::format("Type: {}\n", info.type.empty() ? "container" : info.type);
    out += fmt::format("Public: {}\n", info.public_ ? "yes" : "no");
    out += "Timestamps:\n";
    if (parse_rfc3339(info.created_at)) out += fmt::format("    Created: {}\n", time_or(info.created_at, ""));
    out += fmt::format("    Uploaded: {}\n", time_or(info.uploaded_at, ""));
    out += fmt::format("    Expires: {}\n", time_or(info.expires_at, "never"));
    out += fmt::format("    Last used: {}\n", time_or(info.last_used_at, "never"));
    out += "Properties:\n";
    for (const auto& [k, v] : info.properties) out += fmt::format("    {}: {}\n", k, v);
    out += "Aliases:\n";
    for (const auto& a : info.aliases)
        out += a.description.empty() ? fmt::format("    - {}\n", a.name) : fmt::format("    - {} ({})\n", a.name, a.description);
    out += fmt::format("Cached: {}\n", info.cached ? "yes" : "no");
    out += fmt::format("Auto update: {}\n", info.auto_update ? "enabled" : "disabled");
    std::fputs(out.c_str(), stdout);
    return 0;
}

const FlagSpec alias_flag{"alias", 0, FlagKind::StringList, "New aliases to add to the image"};

}  // namespace

Command image_command() {
    Command cmd;
    cmd.name = "image";
    cmd.summary = "Manage images";
    cmd.description =
        "Manage images\n\n"
        "Images are referred to by an alias, a full fingerprint or a unique fingerprint prefix.";

    cmd.children.push_back(image_alias_command());

    Command build = subcommand("build", "<builder>", "Build an image with a local builder (busybox, debian, debian-vm)", 1, 1, run_build);
    build.description =
        "Build an image with a local builder\n\n"
        "busybox: a tiny image around the host's static busybox.\n"
        "debian:  debootstrap from a Debian mirror (minbase + systemd by default). The first build\n"
        "         takes minutes; the result is cached (--cache-dir, $LIBINSTANCE_CACHE_DIR or\n"
        "         <state>/cache), so building the same options again is instant.\n"
        "debian-vm: a virtual-machine image (split: metadata with boot/vmlinuz and boot/initrd.img,\n"
        "         and a qcow2 disk): the kernel of the host's Debian release (its package is\n"
        "         downloaded once into the cache), busybox and the libinstance VM agent. Cached too;\n"
        "         --output writes the metadata tarball there and the disk to <output>.qcow2.";
    build.examples = "inst image build busybox --alias busybox\n"
                     "inst image build debian --release bookworm --alias debian/12\n"
                     "inst image build debian-vm --alias debian-vm";
    build.flags = {alias_flag,
                   {"output", 0, FlagKind::String, "Also write the image as a unified tarball to this file (debian-vm: the metadata tarball, and <output>.qcow2)"},
                   {"release", 0, FlagKind::String, "debian: the release (default bookworm); debian-vm: only the host's"},
                   {"variant", 0, FlagKind::String, "debian: debootstrap variant: minbase (default), buildd or default"},
                   {"mirror", 0, FlagKind::String, "debian: the mirror URL (default: the host's Debian mirror)"},
                   {"package", 0, FlagKind::StringList, "debian: an extra package to install (repeatable)"},
                   {"init", 0, FlagKind::String, "debian: the init package (default systemd-sysv)"},
                   {"cache-dir", 0, FlagKind::String, "debian, debian-vm: where built images are cached"}};
    cmd.children.push_back(std::move(build));

    Command del = subcommand("delete", "[<remote>:]<image> [[<remote>:]<image>...]", "Delete images", 1, -1, run_delete);
    del.aliases = {"rm"};
    cmd.children.push_back(std::move(del));


    cmd.children.push_back(subcommand("info", "[<remote>:]<image>", "Show useful information about images", 1, 1, run_info));

    Command list = subcommand("list", "[<remote>:] [<filter>...]", "List images", 0, -1, run_list);
    list.aliases = {"ls"};
    list.description =
        "List images\n\n"
        "Filters may be of the <key>=<value> form for property based filtering,\n"
        "or part of the image hash or part of the image alias name.\n\n"
        "Default column layout is: lfpdatsu\n\n"
        "Column shorthand chars:\n\n"
        "    l - Shortest image alias (and optionally number of other aliases)\n"
        "    L - Newline-separated list of all image aliases\n"
        "    f - Fingerprint (short)\n"
        "    F - Fingerprint (long)\n"
        "    p - Whether image is public\n"
        "    d - Description\n"
        "    a - Architecture\n"
        "    s - Size\n"
        "    u - Upload date\n"
        "    t - Type";
    list.flags = {
        {"columns", 'c', FlagKind::String, "Columns (default \"lfpdatsu\")"},
        {"format", 'f', FlagKind::String, "Format (csv|json|table|yaml|compact) (default \"table\")"},
    };
    cmd.children.push_back(std::move(list));

    cmd.children.push_back(subcommand("show", "[<remote>:]<image>", "Show image properties", 1, 1, run_show));
    for (auto& c : image_remote_commands()) cmd.children.push_back(std::move(c));
    for (auto& c : image_edit_commands()) cmd.children.push_back(std::move(c));
    cmd.children.push_back(image_prune_command());
    return cmd;
}

}  // namespace li::cli
