#pragma once
// The command tree of `inst` and its argument parser, shaped like the cobra/pflag parser of lxc:
// flags may appear anywhere, `--` ends flag parsing, list flags repeat.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace li::cli {

class Context;

/// What a flag takes.
enum class FlagKind { Bool, String, Int, StringList };

/// One flag of a command, e.g. {"config", 'c', StringList, "Config key/value ..."}.
struct FlagSpec {
    std::string long_name;
    char short_name = 0;
    FlagKind kind = FlagKind::Bool;
    std::string help;
};

/// A parse or usage problem; printed as "Error: <message>" with exit status 1.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The flags and positional arguments given to one command.
class ParsedArgs {
public:
    std::vector<std::string> positional;
    bool saw_dash_dash = false;
    size_t dash_dash_at = 0;  ///< index in positional where `--` appeared

    bool has(const std::string& name) const { return values_.count(name) != 0; }
    bool flag(const std::string& name) const;
    std::optional<std::string> string(const std::string& name) const;
    std::string string_or(const std::string& name, const std::string& fallback) const;
    std::optional<int64_t> integer(const std::string& name) const;
    std::vector<std::string> list(const std::string& name) const;

    void add(const FlagSpec& spec, const std::string& shown_name, std::string value);

private:
    std::map<std::string, std::vector<std::string>> values_;
};

struct Command;
using RunFn = std::function<int(Context&, const ParsedArgs&)>;

/// A command or a group of subcommands.
struct Command {
    std::string name;
    std::vector<std::string> aliases;
    std::string usage;        ///< argument synopsis, e.g. "<instance> [<instance>...]"
    std::string summary;      ///< one line for command listings
    std::string description;  ///< longer text, defaults to summary
    std::string examples;
    std::vector<FlagSpec> flags;
    int min_args = 0;
    int max_args = -1;  ///< -1: unbounded
    RunFn run;          ///< empty for pure groups
    std::vector<Command> children;

    const Command* find_child(const std::string& word) const;
};

/// A leaf subcommand taking between min_args and max_args (-1: any number) arguments.
Command subcommand(std::string name, std::string usage, std::string summary, int min_args, int max_args, RunFn run);

/// The outcome of parsing a command line.
struct Invocation {
    std::vector<const Command*> path;  ///< root first
    ParsedArgs args;
    bool help = false;
    bool version = false;

    const Command& command() const { return *path.back(); }
    std::string command_path() const;  ///< "inst image list"
};

/// Flags every command accepts.
const std::vector<FlagSpec>& global_flags();

/// Parses argv (without argv[0]) against the tree rooted at root; throws UsageError.
Invocation parse(const Command& root, const std::vector<std::string>& argv);

/// Prints the cobra-style help of the invoked command to stdout.
void print_help(const Invocation& inv);

/// lxc's CheckArgs: help and exit 0 when no argument was given but some are needed, else
/// "Invalid number of arguments". Returns true when the caller should stop with status 0.
bool check_args(const Invocation& inv);

}  // namespace li::cli
