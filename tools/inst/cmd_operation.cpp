// operation list/show/delete: the background operations of this process, as lxc shows a server's.
#include <algorithm>
#include <cstdio>
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "humanize.hpp"
#include "libinstance/api/operation.hpp"
#include "libinstance/error.hpp"
#include "output.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), ::toupper);
    return s;
}

Row operation_row(const api::Operation& op) {
    auto created = parse_rfc3339(op.created_at);
    return {op.id, upper(op.class_), op.description, upper(op.status), op.may_cancel ? "YES" : "NO",
            created ? format_utc_time(*created) : std::string()};
}

int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    // `[<remote>:]`: an lxd remote's operations, or the default remote's.
    RemoteRef server = instance_ref(ctx, args.positional.empty() ? std::string() : args.positional[0]);
    std::vector<api::Operation> ops = ctx.manager(server.remote).operations().list();
    std::vector<Row> rows;
    for (const auto& op : ops) rows.push_back(operation_row(op));
    std::sort(rows.begin(), rows.end());  // by id, like lxc
    Row header = {"ID", "TYPE", "DESCRIPTION", "STATUS", "CANCELABLE", "CREATED"};
    std::string raw = (format == Format::Json || format == Format::Yaml) ? api::to_json(ops) : std::string();
    std::fputs(render(format, header, rows, raw).c_str(), stdout);
    return 0;
}

// Unknown ids are the common case here (see the group's help), so the error must name the id.
Operation find(Context& ctx, const std::string& id) {
    try {
        RemoteRef ref = instance_ref(ctx, id);  // "r:ID" on an lxd remote
        return ctx.manager(ref.remote).operations().get(ref.name);
    } catch (const Error& e) {
        throw Error(e.code(), message_naming(e.what(), id), e.key());
    }
}

int run_show(Context& ctx, const ParsedArgs& args) {
    Operation op = find(ctx, args.positional[0]);
    std::fputs(render_yaml(api::to_json(op.info())).c_str(), stdout);
    return 0;
}

int run_delete(Context& ctx, const ParsedArgs& args) {
    Operation op = find(ctx, args.positional[0]);
    try {
        op.cancel();
    } catch (const Error& e) {
        throw Error(e.code(), message_naming(e.what(), op.id()), e.key());
    }
    return 0;
}

std::string strip_remote(std::string id) {
    if (id.starts_with("local:")) id.erase(0, 6);
    return id;
}

RunFn on_id(int (*fn)(Context&, const ParsedArgs&)) {
    return [fn](Context& ctx, const ParsedArgs& args) {
        ParsedArgs copy = args;
        copy.positional[0] = strip_remote(copy.positional[0]);
        return fn(ctx, copy);
    };
}

}  // namespace

Command operation_command() {
    Command cmd;
    cmd.name = "operation";
    cmd.summary = "List, show and delete background operations";
    cmd.description =
        "List, show and delete background operations\n\n"
        "Long work (creating, starting, stopping and deleting instances, building and importing\n"
        "images) runs as operations of the library. There is no daemon: operations live in the\n"
        "inst process that started them and are kept for a few minutes after they end, so a\n"
        "separate `inst operation` run sees none of another run's operations and usually lists\n"
        "nothing. Ctrl-C cancels the operation an inst command is waiting for.";

    Command list;
    list.name = "list";
    list.aliases = {"ls"};
    list.usage = "[<remote>:]";
    list.summary = "List background operations";
    list.description =
        "List background operations\n\n"
        "Only the operations of this inst process are known (see \"inst operation --help\"),\n"
        "so the list is normally empty.";
    list.flags = {{"format", 'f', FlagKind::String, "Format (csv|json|table|yaml|compact) (default \"table\")"}};
    list.max_args = 1;
    list.run = run_list;
    cmd.children.push_back(std::move(list));

    Command show;
    show.name = "show";
    show.usage = "[<remote>:]<operation>";
    show.summary = "Show details on a background operation";
    show.examples =
        "inst operation show 344a79e4-d88a-45bf-9c39-c72c26f6ab8a\n"
        "    Show details on that operation UUID";
    show.min_args = 1;
    show.max_args = 1;
    show.run = on_id(run_show);
    cmd.children.push_back(std::move(show));

    Command del;
    del.name = "delete";
    del.aliases = {"cancel", "rm"};
    del.usage = "[<remote>:]<operation>";
    del.summary = "Delete a background operation (will attempt to cancel)";
    del.min_args = 1;
    del.max_args = 1;
    del.run = on_id(run_delete);
    cmd.children.push_back(std::move(del));
    return cmd;
}

}  // namespace li::cli
