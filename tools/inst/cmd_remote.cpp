// remote add/list/remove/rename/get-default: the image servers of the state directory.
#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "output.hpp"

namespace li::cli {

namespace {

std::string read_text_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw UsageError(fmt::format("Cannot read the certificate file \"{}\"", path));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int run_add(Context& ctx, const ParsedArgs& args) {
    api::Remote r;
    r.name = args.positional[0];
    r.url = args.positional[1];
    r.protocol = args.string_or("protocol", "simplestreams");
    // lxc marks simplestreams servers public: they serve anyone without credentials.
    r.public_ = args.flag("public") || r.protocol == "simplestreams";
    if (args.flag("accept-certificate") && args.has("certificate-file"))
        throw UsageError("--accept-certificate and --certificate-file cannot be used together");
    if (auto file = args.string("certificate-file")) r.certificate = read_text_file(*file);
    if (args.flag("accept-certificate")) r.certificate = RemoteStore::fetch_certificate(r.url);
    ctx.manager().remotes().add(r);
    return 0;
}

int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    auto remotes = ctx.manager().remotes().list();
    std::vector<Row> rows;
    // lxc always lists its local daemon; here "local" is the state directory itself.
    rows.push_back({"local (current)", "unix://", "lxd", "file access", "NO", "YES", "NO"});
    for (const auto& r : remotes)
        rows.push_back({r.name, r.url, r.protocol, r.certificate.empty() ? "none" : "pinned certificate",
                        r.public_ ? "YES" : "NO", "NO", "NO"});
    std::sort(rows.begin(), rows.end());
    std::string raw = (format == Format::Json || format == Format::Yaml) ? api::to_json(remotes) : std::string();
    std::fputs(render(format, {"NAME", "URL", "PROTOCOL", "AUTH TYPE", "PUBLIC", "STATIC", "GLOBAL"}, rows, raw).c_str(), stdout);
    return 0;
}

int run_remove(Context& ctx, const ParsedArgs& args) {
    for (const auto& name : args.positional) {
        if (name == "local") throw UsageError("Remote local is static and cannot be modified");
        ctx.manager().remotes().remove(name);
    }
    return 0;
}

int run_rename(Context& ctx, const ParsedArgs& args) {
    if (args.positional[0] == "local") throw UsageError("Remote local is static and cannot be modified");
    ctx.manager().remotes().rename(args.positional[0], args.positional[1]);
    return 0;
}

}  // namespace

Command remote_command() {
    Command cmd;
    cmd.name = "remote";
    cmd.summary = "Manage the list of remote servers";
    cmd.description =
        "Manage the list of remote servers\n\n"
        "Remotes are image servers speaking simplestreams over HTTPS, kept in the state directory.\n"
        "Their images are named <remote>:<alias or fingerprint> (inst image list/copy, inst launch).";

    Command add = subcommand("add", "<remote> <URL>", "Add new remote servers", 2, 2, run_add);
    add.description =
        "Add new remote servers\n\n"
        "The server's TLS certificate is verified against the system's CAs. For a server with a\n"
        "self-signed certificate, either pin the certificate it presents now (--accept-certificate)\n"
        "or give the PEM file to trust (--certificate-file).";
    add.examples = "inst remote add images https://images.example.org --protocol simplestreams";
    add.flags = {
        {"accept-certificate", 0, FlagKind::Bool, "Accept (and pin) the certificate the server presents"},
        {"certificate-file", 0, FlagKind::String, "PEM certificate to trust for this server (not in lxc)"},
        {"protocol", 0, FlagKind::String, "Server protocol (simplestreams)"},
        {"public", 0, FlagKind::Bool, "Public image server"},
    };
    cmd.children.push_back(std::move(add));

    Command list = subcommand("list", "", "List the available remotes", 0, 0, run_list);
    list.aliases = {"ls"};
    list.flags = {{"format", 'f', FlagKind::String, "Format (csv|json|table|yaml|compact) (default \"table\")"}};
    cmd.children.push_back(std::move(list));

    Command remove = subcommand("remove", "<remote>", "Remove remotes", 1, -1, run_remove);
    remove.aliases = {"rm"};
    cmd.children.push_back(std::move(remove));

    Command rename = subcommand("rename", "<remote> <new-name>", "Rename remotes", 2, 2, run_rename);
    rename.aliases = {"mv"};
    cmd.children.push_back(std::move(rename));
    return cmd;
}

}  // namespace li::cli
