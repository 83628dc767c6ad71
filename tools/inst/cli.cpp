#include "cli.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fmt/format.h>

namespace li::cli {

Command subcommand(std::string name, std::string usage, std::string summary, int min_args, int max_args, RunFn run) {
    Command cmd;
    cmd.name = std::move(name);
    cmd.usage = std::move(usage);
    cmd.summary = std::move(summary);
    cmd.min_args = min_args;
    cmd.max_args = max_args;
    cmd.run = std::move(run);
    return cmd;
}

// ---- ParsedArgs -------------------------------------------------------------------------------

bool ParsedArgs::flag(const std::string& name) const {
    auto it = values_.find(name);
    return it != values_.end() && it->second.back() == "true";
}

std::optional<std::string> ParsedArgs::string(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second.back();  // a repeated single-value flag: the last one wins, like pflag
}

std::string ParsedArgs::string_or(const std::string& name, const std::string& fallback) const {
    return string(name).value_or(fallback);
}

std::optional<int64_t> ParsedArgs::integer(const std::string& name) const {
    auto s = string(name);
    if (!s) return std::nullopt;
    return std::stoll(*s);  // validated when parsed
}

std::vector<std::string> ParsedArgs::list(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

void ParsedArgs::add(const FlagSpec& spec, const std::string& shown_name, std::string value) {
    if (spec.kind == FlagKind::Bool && value != "true" && value != "false") {
        if (value == "1" || value == "t" || value == "T" || value == "TRUE" || value == "True") value = "true";
        else if (value == "0" || value == "f" || value == "F" || value == "FALSE" || value == "False") value = "false";
        else throw UsageError(fmt::format("invalid argument \"{}\" for \"{}\" flag: not a boolean", value, shown_name));
    }
    if (spec.kind == FlagKind::Int) {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || end != value.data() + value.size() || value.empty())
            throw UsageError(fmt::format("invalid argument \"{}\" for \"{}\" flag: not an integer", value, shown_name));
    }
    values_[spec.long_name].push_back(std::move(value));
}

// ---- Command ----------------------------------------------------------------------------------

const Command* Command::find_child(const std::string& word) const {
    for (const auto& c : children) {
        if (c.name == word) return &c;
        if (std::find(c.aliases.begin(), c.aliases.end(), word) != c.aliases.end()) return &c;
    }
    return nullptr;
}

std::string Invocation::command_path() const {
    std::string out;
    for (const auto* c : path) {
        if (!out.empty()) out += ' ';
        out += c->name;
    }
    return out;
}

const std::vector<FlagSpec>& global_flags() {
    static const std::vector<FlagSpec> flags = {
        {"help", 'h', FlagKind::Bool, "Print help"},
        {"project", 0, FlagKind::String, "Override the source project"},
        {"quiet", 'q', FlagKind::Bool, "Don't show progress information"},
        {"state-dir", 0, FlagKind::String, "State directory (default $LIBINSTANCE_DIR, else the library default)"},
        {"version", 0, FlagKind::Bool, "Print version number"},
    };
    return flags;
}

// ---- parse ------------------------------------------------------------------------------------

namespace {

const FlagSpec* find_long(const Command& cmd, std::string_view name) {
    for (const auto& f : cmd.flags)
        if (f.long_name == name) return &f;
    for (const auto& f : global_flags())
        if (f.long_name == name) return &f;
    return nullptr;
}

const FlagSpec* find_short(const Command& cmd, char c) {
    for (const auto& f : cmd.flags)
        if (f.short_name == c) return &f;
    for (const auto& f : global_flags())
        if (f.short_name == c) return &f;
    return nullptr;
}

}  // namespace

Invocation parse(const Command& root, const std::vector<std::string>& argv) {
    Invocation inv;
    inv.path.push_back(&root);
    ParsedArgs& args = inv.args;
    const Command* cmd = &root;

    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& tok = argv[i];
        if (args.saw_dash_dash) {
            args.positional.push_back(tok);
        } else if (tok == "--") {
            args.saw_dash_dash = true;
            args.dash_dash_at = args.positional.size();
        } else if (tok.size() > 2 && tok.starts_with("--")) {
            std::string body = tok.substr(2);
            std::optional<std::string> inline_value;
            if (auto eq = body.find('='); eq != std::string::npos) {
                inline_value = body.substr(eq + 1);
                body.resize(eq);
            }
            const FlagSpec* spec = find_long(*cmd, body);
            if (!spec) throw UsageError(fmt::format("unknown flag: --{}", body));
            std::string shown = "--" + body;
            if (spec->kind == FlagKind::Bool) {
                args.add(*spec, shown, inline_value.value_or("true"));
            } else if (inline_value) {
                args.add(*spec, shown, *inline_value);
            } else {
                if (i + 1 >= argv.size()) throw UsageError(fmt::format("flag needs an argument: {}", shown));
                args.add(*spec, shown, argv[++i]);
            }
        } else if (tok.size() > 1 && tok[0] == '-' && tok != "--") {
            // A cluster of shorthands: bools may be combined (-qf), the last may take a value (-cfoo, -c foo, -c=foo).
            for (size_t j = 1; j < tok.size(); ++j) {
                const FlagSpec* spec = find_short(*cmd, tok[j]);
                if (!spec) throw UsageError(fmt::format("unknown shorthand flag: '{}' in {}", tok[j], tok));
                std::string shown = "-" + std::string(1, tok[j]);
                if (spec->kind == FlagKind::Bool) {
                    args.add(*spec, shown, "true");
                    continue;
                }
                std::string rest = tok.substr(j + 1);
                if (rest.starts_with("=")) rest.erase(0, 1);
                if (!rest.empty()) {
                    args.add(*spec, shown, rest);
                } else {
                    if (i + 1 >= argv.size())
                        throw UsageError(fmt::format("flag needs an argument: '{}' in {}", tok[j], tok));
                    args.add(*spec, shown, argv[++i]);
                }
                break;
            }
        } else if (args.positional.empty() && !cmd->children.empty()) {
            const Command* child = cmd->find_child(tok);
            if (!child) {
                if (tok == "help" && cmd == &root) {
                    args.add(*find_long(root, "help"), "--help", "true");  // `inst help [cmd...]`
                    continue;
                }
                throw UsageError(fmt::format("unknown command \"{}\" for \"{}\"", tok, inv.command_path()));
            }
            cmd = child;
            inv.path.push_back(child);
        } else {
            args.positional.push_back(tok);
        }
    }
    inv.help = args.flag("help");
    inv.version = args.flag("version");
    return inv;
}

// ---- help -------------------------------------------------------------------------------------

namespace {

std::string indent(const std::string& text, const std::string& pad) {
    std::string out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t nl = text.find('\n', start);
        std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        out += line.empty() ? "" : pad + line;
        out += '\n';
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return out;
}

std::string flag_table(const std::vector<FlagSpec>& flags) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& f : flags) {
        std::string left = f.short_name ? fmt::format("  -{}, --{}", f.short_name, f.long_name)
                                        : fmt::format("      --{}", f.long_name);
        rows.emplace_back(left, f.help);
    }
    size_t width = 0;
    for (const auto& r : rows) width = std::max(width, r.first.size());
    std::string out;
    for (const auto& [left, help] : rows) out += left + std::string(width - left.size() + 3, ' ') + help + '\n';
    return out;
}

}  // namespace

void print_help(const Invocation& inv) {
    const Command& cmd = inv.command();
    std::string path = inv.command_path();
    std::string out;
    out += "Description:\n" + indent(cmd.description.empty() ? cmd.summary : cmd.description, "  ") + "\n";
    out += "Usage:\n";
    if (cmd.run) out += fmt::format("  {}{}{} [flags]\n", path, cmd.usage.empty() ? "" : " ", cmd.usage);
    if (!cmd.children.empty()) {
        if (!cmd.run) out += fmt::format("  {} [flags]\n", path);
        out += fmt::format("  {} [command]\n", path);
    }
    out += "\n";
    if (!cmd.aliases.empty()) {
        out += "Aliases:\n  " + cmd.name;
        for (const auto& a : cmd.aliases) out += ", " + a;
        out += "\n\n";
    }
    if (!cmd.examples.empty()) out += "Examples:\n" + indent(cmd.examples, "  ") + "\n";
    if (!cmd.children.empty()) {
        out += "Available Commands:\n";
        size_t width = 0;
        for (const auto& c : cmd.children) width = std::max(width, c.name.size());
        for (const auto& c : cmd.children)
            out += fmt::format("  {}{}{}\n", c.name, std::string(width - c.name.size() + 2, ' '), c.summary);
        out += "\n";
    }
    if (!cmd.flags.empty()) out += "Flags:\n" + flag_table(cmd.flags) + "\n";
    out += "Global Flags:\n" + flag_table(global_flags());
    if (!cmd.children.empty())
        out += fmt::format("\nUse \"{} [command] --help\" for more information about a command.\n", path);
    std::fputs(out.c_str(), stdout);
}

bool check_args(const Invocation& inv) {
    const Command& cmd = inv.command();
    int n = static_cast<int>(inv.args.positional.size());
    if (n >= cmd.min_args && (cmd.max_args < 0 || n <= cmd.max_args)) return false;
    print_help(inv);
    if (n == 0) return true;
    throw UsageError("Invalid number of arguments");
}

}  // namespace li::cli
