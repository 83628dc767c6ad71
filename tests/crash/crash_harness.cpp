// The crash-safety harness (see crash_harness.hpp).
#include "crash/crash_harness.hpp"

#include <doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <libinstance.hpp>

extern char** environ;

namespace li::test {

namespace fs = std::filesystem;

RunResult run_inst(const fs::path& state, const std::vector<std::string>& args, const std::string& failpoint) {
    fs::path out_file = state.parent_path() / (state.filename().string() + ".out");
    std::vector<std::string> argv_s{LI_INST_BINARY, "--state-dir", state.string()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e)
        if (!std::string_view(*e).starts_with("LIBINSTANCE_FAILPOINT=")) env_s.emplace_back(*e);
    if (!failpoint.empty()) env_s.push_back("LIBINSTANCE_FAILPOINT=" + failpoint);
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    RunResult result;
    result.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(out_file);
    std::stringstream ss;
    ss << in.rdbuf();
    result.output = ss.str();
    std::error_code ec;
    fs::remove(out_file, ec);
    return result;
}

std::vector<std::string> failpoints_passed(const fs::path& state, const std::vector<std::string>& args) {
    fs::path list = state.parent_path() / (state.filename().string() + ".points");
    std::error_code ec;
    fs::remove(list, ec);
    RunResult run = run_inst(state, args, "list:" + list.string());
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    std::ifstream in(list);
    std::map<std::string, int> hits;
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line + "#" + std::to_string(++hits[line]));
    fs::remove(list, ec);
    return out;
}

namespace {

std::set<std::string> entries(const fs::path& dir) {
    std::set<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) out.insert(it->path().filename().string());
    return out;
}

}  // namespace

void check_store_invariants(const fs::path& state) {
    auto mgr = Manager::open(state);
    // Which pools hold a volume of each name (an instance's volume is on exactly one).
    std::map<std::string, std::vector<std::string>> volume_pools;
    const fs::path pools = state / "storage-pools";
    for (const auto& pool : entries(pools))
        for (const auto& name : entries(pools / pool / "containers")) volume_pools[name].push_back(pool);
    std::set<std::string> records;
    for (const auto& i : mgr->instances().list("default")) {
        records.insert(i.name);
        INFO("instance ", i.name);
        REQUIRE(volume_pools[i.name].size() == 1);
        Instance inst = mgr->instances().get("default", i.name);
        std::set<std::string> snapshot_records;
        for (const auto& s : inst.snapshots()) snapshot_records.insert(s.name);
        CHECK(entries(pools / volume_pools[i.name].front() / "containers-snapshots" / i.name) == snapshot_records);
    }
    for (const auto& [name, where] : volume_pools) {
        INFO("volume ", name);
        CHECK(records.count(name) == 1);
    }
    for (const auto& pool : entries(pools))
        for (const auto& dir : entries(pools / pool / "containers-snapshots")) {
            INFO("snapshot folder of ", dir, " on ", pool);
            CHECK((records.count(dir) == 1 && volume_pools[dir].front() == pool));
        }
    std::set<std::string> fingerprints;
    for (const auto& image : mgr->images().list("default")) fingerprints.insert(image.fingerprint);
    std::set<std::string> image_files;
    for (const auto& name : entries(state / "images"))
        if (fs::is_regular_file(state / "images" / name)) image_files.insert(name);
    CHECK(image_files == fingerprints);
    {
        SQLite::Database db((state / "database" / "local.db").string(), SQLite::OPEN_READONLY);
        CHECK(db.execAndGet("SELECT COUNT(*) FROM operations_journal").getInt() == 0);
    }
    for (const auto& pool : entries(pools))
        for (const auto& type_dir : entries(pools / pool))
            for (const auto& name : entries(pools / pool / type_dir)) {
                INFO(pool, "/", type_dir, "/", name);
                CHECK_FALSE(name.ends_with(".creating"));
            }
}

}  // namespace li::test
