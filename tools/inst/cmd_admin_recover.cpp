// admin recover: `lxd recover`'s interactive flow over Manager::recover_validate/recover_import.
// Answers are read from stdin one line each, so the flow can be scripted.
#include <cstdio>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "libinstance/manager.hpp"
#include "libinstance/storage.hpp"

namespace li::cli {

namespace {

std::string ask(const std::string& question) {
    std::fputs(question.c_str(), stdout);
    std::fflush(stdout);
    std::string line;
    // The flow cannot go on without an answer: EOF ends it, changing nothing more.
    if (!std::getline(std::cin, line)) throw Error::invalid("stdin", "no answer on stdin (end of input)");
    return line;
}

bool ask_bool(const std::string& question, bool fallback) {
    for (;;) {
        std::string answer = ask(question);
        if (answer.empty()) return fallback;
        if (answer == "yes" || answer == "y") return true;
        if (answer == "no" || answer == "n") return false;
        std::fputs("Invalid input, try again.\n\n", stderr);
    }
}

std::string ask_string(const std::string& question) {
    for (;;) {
        std::string answer = ask(question);
        if (!answer.empty()) return answer;
        std::fputs("Invalid input, try again.\n\n", stderr);
    }
}

std::string source_of(const std::map<std::string, std::string>& config) {
    auto it = config.find("source");
    return it == config.end() ? "" : it->second;
}

const char* volume_kind(const std::string& type) {
    if (type == "container") return "Container";
    if (type == "virtual-machine") return "Virtual-Machine";
    return "Volume";
}

api::StoragePoolsPost ask_pool() {
    api::StoragePoolsPost post;
    post.name = ask_string("Name of the storage pool: ");
    post.driver = ask_string("Name of the storage backend (btrfs, dir): ");
    post.config["source"] = ask_string("Source of the storage pool (block device, volume group, dataset, path, ... as applicable): ");
    for (;;) {
        std::string kv = ask("Additional storage pool configuration property (KEY=VALUE, empty when done): ");
        if (kv.empty()) break;
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) {
            std::fputs("Invalid input, try again.\n\n", stderr);
            continue;
        }
        post.config[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return post;
}

int run_recover(Context& ctx, const ParsedArgs&) {
    Manager& mgr = ctx.manager();
    auto known = mgr.storage_pools().list();
    std::puts("This server currently has the following storage pools:");
    for (const auto& p : known) std::printf(" - %s (backend=\"%s\", source=\"%s\")\n", p.name.c_str(), p.driver.c_str(), source_of(p.config).c_str());

    RecoverOptions opts;
    while (ask_bool("Would you like to recover another storage pool? (yes/no) [default=no]: ", false)) opts.pools.push_back(ask_pool());

    std::puts("The recovery process will be scanning the following storage pools:");
    for (const auto& p : known) std::printf(" - EXISTING: \"%s\" (backend=\"%s\", source=\"%s\")\n", p.name.c_str(), p.driver.c_str(), source_of(p.config).c_str());
    for (const auto& p : opts.pools) std::printf(" - NEW: \"%s\" (backend=\"%s\", source=\"%s\")\n", p.name.c_str(), p.driver.c_str(), source_of(p.config).c_str());
    if (!ask_bool("Would you like to continue with scanning for lost volumes? (yes/no) [default=yes]: ", true)) return 0;

    RecoverResult found;
    for (;;) {
        std::puts("Scanning for unknown volumes...");
        found = mgr.recover_validate(opts);
        if (!found.unknown_pools.empty()) {
            std::puts("The following unknown storage pools have been found:");
            for (const auto& name : found.unknown_pools) std::printf(" - Storage pool \"%s\"\n", name.c_str());
        }
        if (!found.unknown_volumes.empty()) {
            std::puts("The following unknown volumes have been found:");
            for (const auto& v : found.unknown_volumes)
                std::printf(" - %s \"%s\" on pool \"%s\" in project \"%s\" (includes %lld snapshots)\n", volume_kind(v.type), v.name.c_str(),
                            v.pool.c_str(), v.project.c_str(), static_cast<long long>(v.snapshot_count));
        }
        if (found.dependency_errors.empty()) break;
        std::puts("You are currently missing the following:");
        for (const auto& e : found.dependency_errors) std::printf(" - %s\n", e.c_str());
        ask("Please create those missing entries and then hit ENTER: ");
    }
    if (found.unknown_pools.empty() && found.unknown_volumes.empty()) {
        std::puts("No unknown volumes found. Nothing to do.");
        return 0;
    }
    if (!ask_bool("Would you like those to be recovered? (yes/no) [default=no]: ", false)) return 0;
    std::puts("Starting recovery...");
    mgr.recover_import(opts);
    return 0;
}

}  // namespace

Command admin_recover_command() {
    Command cmd;
    cmd.name = "recover";
    cmd.summary = "Recover missing instances and volumes from existing and unknown storage pools";
    cmd.description =
        "Recover missing instances and volumes from existing and unknown storage pools\n\n"
        "This command is mostly used for disaster recovery. It asks for unknown storage pools to\n"
        "scan (pools under the state directory are found on their own), lists the instances and\n"
        "custom volumes on them that the database lacks, and recreates their records from the\n"
        "backup.yaml each volume keeps. Answers are read from standard input, one per line.";
    cmd.examples =
        "printf 'no\\n\\nyes\\n' | inst admin recover\n"
        "    Scan the known pools and recover what they hold";
    cmd.max_args = 0;
    cmd.run = run_recover;
    return cmd;
}

}  // namespace li::cli
