// file push/pull/delete/edit/create: files inside instances, with lxc 5.0.2's syntax
// (`create` is from later lxc releases).
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <limits>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

namespace fs = std::filesystem;

/// "[<remote>:]<instance>/<path>" split into the remote ("" local; no prefix: the default
/// remote, as lxc), the instance and the absolute path.
struct Target {
    std::string remote;
    std::string instance;
    std::string path;
};

Target parse_target(Context& ctx, const std::string& arg) {
    RemoteRef ref = instance_ref(ctx, arg);
    auto slash = ref.name.find('/');
    if (slash == std::string::npos || slash == 0)
        throw UsageError(fmt::format("Invalid target \"{}\" (expected [<remote>:]<instance>/<path>)", arg));
    return Target{ref.remote, ref.name.substr(0, slash), ref.name.substr(slash)};
}

std::string base_name(const std::string& path) {
    std::string p = path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    auto slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string join(const std::string& dir, const std::string& name) {
    return dir.ends_with('/') ? dir + name : dir + "/" + name;
}

std::optional<uint32_t> id_flag(const ParsedArgs& args, const std::string& name) {
    auto v = args.integer(name);
    if (!v || *v == -1) return std::nullopt;
    if (*v < 0 || *v > std::numeric_limits<uint32_t>::max())
        throw UsageError(fmt::format("invalid argument \"{}\" for \"--{}\" flag: out of range", *v, name));
    return static_cast<uint32_t>(*v);
}

std::optional<uint32_t> mode_flag(const ParsedArgs& args) {
    auto text = args.string("mode");
    if (!text || text->empty()) return std::nullopt;
    char* end = nullptr;
    unsigned long m = std::strtoul(text->c_str(), &end, 8);
    if (*end != '\0' || m > 07777) throw UsageError(fmt::format("Invalid mode \"{}\" (an octal permission like 0644)", *text));
    return static_cast<uint32_t>(m);
}

Instance instance_of(Context& ctx, const Target& t) { return ctx.manager(t.remote).instances().get(ctx.project(), t.instance); }

int run_push(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    Target target = parse_target(ctx, pos.back());
    std::vector<std::string> sources(pos.begin(), pos.end() - 1);
    Instance inst = instance_of(ctx, target);
    bool recursive = args.flag("recursive");
    FileOptions flags;
    flags.uid = id_flag(args, "uid");
    flags.gid = id_flag(args, "gid");
    flags.mode = mode_flag(args);
    flags.create_parents = args.flag("create-dirs");
    // Several sources, a trailing slash or -r make the target a directory, as in lxc.
    bool into_dir = sources.size() > 1 || target.path.ends_with('/') || recursive;
    if (into_dir && flags.create_parents) {
        FileOptions dir;
        dir.create_parents = true;
        inst.file_mkdir(target.path, dir);
    }
    for (const auto& src : sources) {
        if (src == "-") {
            if (into_dir) throw UsageError("Pushing from stdin (-) needs a file target, not a directory");
            inst.file_push(target.path, STDIN_FILENO, flags);
            continue;
        }
        std::string dest = into_dir ? join(target.path, base_name(src)) : target.path;
        struct stat st {};
        if (::lstat(src.c_str(), &st) != 0) throw Error::from_errno(fmt::format("reading {}", src), errno);
        if (S_ISDIR(st.st_mode)) {
            if (!recursive) throw UsageError(fmt::format("\"{}\" is a directory; use -r to push directories", src));
            inst.file_push_tree(src, dest, flags);
            continue;
        }
        if (S_ISLNK(st.st_mode) && recursive) {
            inst.file_symlink(dest, fs::read_symlink(src).string(), flags);
            continue;
        }
        // Like lxc: the source's own owner and mode unless the flags set them.
        FileOptions opts = flags;
        if (!opts.mode) opts.mode = st.st_mode & 07777;
        if (!opts.uid) opts.uid = st.st_uid;
        if (!opts.gid) opts.gid = st.st_gid;
        int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw Error::from_errno(fmt::format("opening {}", src), errno);
        try {
            inst.file_push(dest, fd, opts);
        } catch (...) {
            ::close(fd);
            throw;
        }
        ::close(fd);
    }
    return 0;
}

// Writes a pulled file to dest through a temporary name, so a failed pull leaves no partial file.
void pull_file(Instance& inst, const std::string& path, const std::string& dest) {
    std::string tmp = fmt::format("{}.inst-pull-{}", dest, ::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw Error::from_errno(fmt::format("creating {}", dest), errno);
    FileInfo info;
    try {
        info = inst.file_pull(path, fd);
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    if (info.type == "symlink") {
        ::unlink(tmp.c_str());
        ::unlink(dest.c_str());
        if (::symlink(info.target.c_str(), dest.c_str()) != 0) throw Error::from_errno(fmt::format("creating {}", dest), errno);
        return;
    }
    if (info.type == "directory") {
        ::unlink(tmp.c_str());
        throw UsageError(fmt::format("\"{}\" is a directory; use -r to pull directories", path));
    }
    ::chmod(tmp.c_str(), info.mode);
    if (::rename(tmp.c_str(), dest.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw Error::from_errno(fmt::format("writing {}", dest), err);
    }
}

int run_pull(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    std::string dest = pos.back();
    std::vector<Target> sources;
    for (size_t i = 0; i + 1 < pos.size(); ++i) sources.push_back(parse_target(ctx, pos[i]));
    bool recursive = args.flag("recursive");
    if (dest == "-") {
        if (recursive) throw UsageError("Cannot pull recursively to stdout (-)");
        std::fflush(stdout);
        for (const auto& s : sources) {
            Instance inst = instance_of(ctx, s);
            FileInfo info = inst.file_pull(s.path, STDOUT_FILENO);
            if (info.type != "file") throw UsageError(fmt::format("\"{}\" is a {}, not a file", s.path, info.type));
        }
        return 0;
    }
    if (args.flag("create-dirs")) fs::create_directories(sources.size() > 1 || recursive ? fs::path(dest) : fs::path(dest).parent_path());
    std::error_code ec;
    bool dest_is_dir = fs::is_directory(dest, ec);
    if (sources.size() > 1 && !dest_is_dir)
        throw UsageError(fmt::format("Target \"{}\" must be a directory when pulling several files", dest));
    for (const auto& s : sources) {
        Instance inst = instance_of(ctx, s);
        std::string to = dest_is_dir ? join(dest, base_name(s.path)) : dest;
        if (recursive) inst.file_pull_tree(s.path, to);
        else pull_file(inst, s.path, to);
    }
    return 0;
}

int run_delete(Context& ctx, const ParsedArgs& args) {
    for (const auto& arg : args.positional) {
        Target t = parse_target(ctx, arg);
        instance_of(ctx, t).file_delete(t.path);
    }
    return 0;
}

int run_create(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    Target t = parse_target(ctx, pos[0]);
    std::string type = args.string_or("type", "file");
    FileOptions opts;
    opts.uid = id_flag(args, "uid");
    opts.gid = id_flag(args, "gid");
    opts.mode = mode_flag(args);
    opts.create_parents = args.flag("create-dirs");
    Instance inst = instance_of(ctx, t);
    if (type == "symlink") {
        if (pos.size() != 2) throw UsageError("A symlink needs a target: file create --type=symlink <instance>/<path> <target>");
        inst.file_symlink(t.path, pos[1], opts);
    } else if (pos.size() != 1) {
        throw UsageError("Only symlinks take a target argument");
    } else if (type == "directory") {
        inst.file_mkdir(t.path, opts);
    } else if (type == "file") {
        inst.file_push_data(t.path, "", opts);
    } else {
        throw UsageError(fmt::format("Invalid type \"{}\" (file, directory or symlink)", type));
    }
    return 0;
}

// Like lxc: content from stdin when it is not a terminal, else the file opened in $EDITOR.
int run_edit(Context& ctx, const ParsedArgs& args) {
    Target t = parse_target(ctx, args.positional[0]);
    Instance inst = instance_of(ctx, t);
    if (!::isatty(STDIN_FILENO)) {
        inst.file_push(t.path, STDIN_FILENO, {});
        return 0;
    }
    char tmpl[] = "/tmp/inst-edit-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) throw Error::from_errno("creating a temporary file", errno);
    std::string tmp = tmpl;
    struct Cleanup {
        std::string path;
        ~Cleanup() { ::unlink(path.c_str()); }
    } cleanup{tmp};
    inst.file_pull(t.path, fd);
    ::close(fd);
    const char* editor = std::getenv("VISUAL");
    if (!editor || !*editor) editor = std::getenv("EDITOR");
    std::string cmd = fmt::format("{} '{}'", editor && *editor ? editor : "vi", tmp);
    int status = std::system(cmd.c_str());
    if (status != 0) throw Error(ErrorCode::System, fmt::format("the editor exited with status {}", WEXITSTATUS(status)));
    fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error::from_errno(fmt::format("reading {}", tmp), errno);
    try {
        inst.file_push(t.path, fd, {});
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return 0;
}

const FlagSpec uid_flag{"uid", 0, FlagKind::Int, "Set the file's uid on push (default -1)"};
const FlagSpec gid_flag{"gid", 0, FlagKind::Int, "Set the file's gid on push (default -1)"};
const FlagSpec mode_spec{"mode", 0, FlagKind::String, "Set the file's perms on push"};
const FlagSpec create_dirs{"create-dirs", 'p', FlagKind::Bool, "Create any directories necessary"};
const FlagSpec recursive_flag{"recursive", 'r', FlagKind::Bool, "Recursively transfer files"};

}  // namespace

Command file_command() {
    Command cmd;
    cmd.name = "file";
    cmd.summary = "Manage files in instances";

    Command push = subcommand("push", "<source path>... [<remote>:]<instance>/<path>", "Push files into instances", 2, -1, run_push);
    push.examples = "  inst file push /etc/hosts foo/etc/hosts\n     To push /etc/hosts into the instance \"foo\".";
    push.flags = {create_dirs, gid_flag, mode_spec, recursive_flag, uid_flag};
    cmd.children.push_back(std::move(push));

    Command pull = subcommand("pull", "[<remote>:]<instance>/<path> [[<remote>:]<instance>/<path>...] <target path>",
                              "Pull files from instances", 2, -1, run_pull);
    pull.examples = "  inst file pull foo/etc/hosts .\n"
                    "     To pull /etc/hosts from the instance and write it to the current directory.";
    pull.flags = {create_dirs, recursive_flag};
    cmd.children.push_back(std::move(pull));

    Command del = subcommand("delete", "[<remote>:]<instance>/<path> [[<remote>:]<instance>/<path>...]",
                             "Delete files in instances", 1, -1, run_delete);
    del.aliases = {"rm"};
    cmd.children.push_back(std::move(del));

    Command create = subcommand("create", "[<remote>:]<instance>/<path> [<symlink target path>]",
                                "Create files and directories in instances", 1, 2, run_create);
    create.flags = {create_dirs, gid_flag, mode_spec,
                    {"type", 0, FlagKind::String, "The type to create (file, symlink, or directory) (default \"file\")"}, uid_flag};
    cmd.children.push_back(std::move(create));

    cmd.children.push_back(subcommand("edit", "[<remote>:]<instance>/<path>", "Edit files in instances", 1, 1, run_edit));
    return cmd;
}

}  // namespace li::cli
