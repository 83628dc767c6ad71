// remote add/list/remove/rename/switch/get-default: the remotes of the state directory — image
// servers (simplestreams) and daemons (lxd, trusted with a token, spoken to over REST).
#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "context.hpp"
#include "current_project.hpp"
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

// lxc's `remote add NAME TOKEN`: an argument that is no URL nor host but a long base64 word.
bool looks_like_token(const std::string& arg) {
    if (arg.size() < 64) return false;
    for (char c : arg)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') return false;
    return true;
}

int run_add(Context& ctx, const ParsedArgs& args) {
    api::Remote r;
    r.name = args.positional[0];
    std::string token = args.string_or("token", "");
    r.url = args.positional.size() > 1 ? args.positional[1] : std::string();
    if (token.empty() && looks_like_token(r.url)) {
        token = r.url;
        r.url.clear();  // the token's address
    }
    // As lxc: a bare host is https://HOST:8443.
    if (!r.url.empty() && r.url.find("://") == std::string::npos)
        r.url = "https://" + r.url + (r.url.find(':') == std::string::npos ? ":8443" : "");
    if (r.url.empty() && token.empty()) throw UsageError("Missing the remote's URL (or a trust token)");
    // As lxc 5.0: a daemon unless told otherwise.
    r.protocol = args.string_or("protocol", "lxd");
    if (!token.empty()) {
        if (r.protocol != "lxd") throw UsageError("--token is only for lxd remotes (--protocol lxd)");
        if (args.flag("accept-certificate") || args.has("certificate-file"))
            throw UsageError("--token pins the certificate the token names: --accept-certificate and --certificate-file cannot be used with it");
        ctx.manager().remotes().add_with_token(r, token);
        return 0;
    }
    // lxc marks simplestreams servers public: they serve anyone without credentials.
    r.public_ = args.flag("public") || r.protocol == "simplestreams";
    if (r.protocol == "lxd" && !ctx.quiet() && !args.flag("accept-certificate") && !args.has("certificate-file"))
        std::fputs("No token given: the server must trust this client's certificate (inst remote get-client-certificate)\n", stderr);
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
    const std::string& default_remote = ctx.default_remote();
    rows.push_back({default_remote.empty() ? "local (current)" : "local", "unix://", "lxd", "file access", "NO", "YES", "NO"});
    for (const auto& r : remotes)
        rows.push_back({r.name + (r.name == default_remote ? " (current)" : ""), r.url, r.protocol,
                        r.protocol == "lxd" ? "tls" : r.certificate.empty() ? "none" : "pinned certificate",
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
        if (name == ctx.default_remote()) set_default_remote(ctx.options().state_dir, "");
        set_current_project(ctx.options().state_dir, "default", name);  // a later remote of that name starts afresh
    }
    return 0;
}

int run_switch(Context& ctx, const ParsedArgs& args) {
    const std::string& name = args.positional[0];
    if (name != "local") ctx.manager().remotes().get(name);  // NotFound for an unknown one
    set_default_remote(ctx.options().state_dir, name);
    return 0;
}

int run_get_default(Context& ctx, const ParsedArgs&) {
    std::printf("%s\n", ctx.default_remote().empty() ? "local" : ctx.default_remote().c_str());
    return 0;
}

int run_get_client_certificate(Context& ctx, const ParsedArgs&) {
    std::fputs(ctx.manager().remotes().client_certificate().c_str(), stdout);
    return 0;
}

int run_rename(Context& ctx, const ParsedArgs& args) {
    if (args.positional[0] == "local") throw UsageError("Remote local is static and cannot be modified");
    ctx.manager().remotes().rename(args.positional[0], args.positional[1]);
    if (args.positional[0] == ctx.default_remote()) set_default_remote(ctx.options().state_dir, args.positional[1]);
    // Its current project goes with it, as lxc's config entry does.
    std::string project = current_project(ctx.options().state_dir, args.positional[0]);
    set_current_project(ctx.options().state_dir, "default", args.positional[0]);
    set_current_project(ctx.options().state_dir, project, args.positional[1]);
    return 0;
}

}  // namespace

Command remote_command() {
    Command cmd;
    cmd.name = "remote";
    cmd.summary = "Manage the list of remote servers";
    cmd.description =
        "Manage the list of remote servers\n\n"
        "Remotes are kept in the state directory. An lxd remote is a daemon (instanced, or LXD)\n"
        "that instance commands reach as <remote>:<instance> over its REST API; a simplestreams\n"
        "remote is an image server whose images are named <remote>:<alias or fingerprint>.";

    Command add = subcommand("add", "<remote> <URL|token>", "Add new remote servers", 2, 2, run_add);
    add.description =
        "Add new remote servers\n\n"
        "An lxd remote (the default protocol) is trusted with a token made on the server\n"
        "(lxc config trust add): the token pins the server's certificate and makes the server trust\n"
        "this state directory's client certificate. Otherwise the server's TLS certificate is\n"
        "verified against the system's CAs; for a self-signed one, either pin the certificate it\n"
        "presents now (--accept-certificate) or give the PEM file to trust (--certificate-file).";
    add.examples =
        "inst remote add r https://server:8443 --token TOKEN\n\n"
        "inst remote add images https://images.example.org --protocol simplestreams";
    add.flags = {
        {"accept-certificate", 0, FlagKind::Bool, "Accept (and pin) the certificate the server presents"},
        {"certificate-file", 0, FlagKind::String, "PEM certificate to trust for this server (not in lxc)"},
        {"protocol", 0, FlagKind::String, "Server protocol (lxd or simplestreams) (default \"lxd\")"},
        {"token", 0, FlagKind::String, "Trust token from the server (lxc config trust add)"},
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

    cmd.children.push_back(subcommand("switch", "<remote>", "Set the default remote", 1, 1, run_switch));
    cmd.children.push_back(subcommand("get-default", "", "Show the default remote", 0, 0, run_get_default));
    cmd.children.push_back(subcommand("get-client-certificate", "", "Print the client certificate used by this state directory", 0, 0,
                                      run_get_client_certificate));
    return cmd;
}

}  // namespace li::cli
