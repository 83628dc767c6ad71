// admin snapshot-schedule and image-auto-update: one pass of the snapshot scheduler, or one look
// of the image auto-update, now or at --at (what the library otherwise does by itself every
// minute while a state directory is open).
#include <cstdio>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "context.hpp"
#include "humanize.hpp"
#include "libinstance/error.hpp"
#include "libinstance/manager.hpp"
#include "output.hpp"

namespace li::cli {

namespace {

// --at, else now.
std::chrono::system_clock::time_point pass_time(const ParsedArgs& args) {
    auto now = std::chrono::system_clock::now();
    if (auto at = args.string("at")) {
        auto parsed = parse_rfc3339(*at);
        if (!parsed) throw Error::invalid("at", fmt::format("--at \"{}\" is not an RFC 3339 time after 1970", *at));
        now = std::chrono::system_clock::from_time_t(*parsed);
    }
    return now;
}

int run_snapshot_schedule(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    auto now = pass_time(args);
    SnapshotScheduleRun run = ctx.manager().run_snapshot_schedule(now);
    std::vector<Row> rows;
    for (const auto& t : run.taken) rows.push_back({"TAKEN", t});
    for (const auto& p : run.pruned) rows.push_back({"PRUNED", p});
    for (const auto& f : run.failed) rows.push_back({"FAILED", f});
    std::string raw;
    if (format == Format::Json || format == Format::Yaml)
        raw = nlohmann::ordered_json{{"taken", run.taken}, {"pruned", run.pruned}, {"failed", run.failed}}.dump();
    std::fputs(render(format, {"ACTION", "SNAPSHOT"}, rows, raw).c_str(), stdout);
    for (const auto& f : run.failed) std::fprintf(stderr, "Error: %s\n", f.c_str());
    return run.failed.empty() ? 0 : 1;
}

int run_image_auto_update(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    auto now = pass_time(args);
    ImageAutoUpdateRun run = ctx.manager().run_image_auto_update(now);
    std::vector<Row> rows;
    for (const auto& r : run.refreshed)
        rows.push_back({r.project, r.old_fingerprint.substr(0, 12), r.new_fingerprint.substr(0, 12), fmt::format("{}", fmt::join(r.aliases, ","))});
    std::string raw;
    if (format == Format::Json || format == Format::Yaml) {
        auto refreshed = nlohmann::ordered_json::array();
        for (const auto& r : run.refreshed)
            refreshed.push_back({{"project", r.project},
                                 {"old_fingerprint", r.old_fingerprint},
                                 {"new_fingerprint", r.new_fingerprint},
                                 {"aliases", r.aliases}});
        raw = nlohmann::ordered_json{{"ran", run.ran}, {"refreshed", refreshed}, {"failed", run.failed}}.dump();
    }
    std::fputs(render(format, {"PROJECT", "OLD FINGERPRINT", "NEW FINGERPRINT", "ALIASES"}, rows, raw).c_str(), stdout);
    // On stderr, so that the table or document on stdout stays what it says.
    if (!run.ran && !ctx.quiet())
        std::fputs("No pass due: images.auto_update_interval has not passed since the last one (or is 0, or this was the first look)\n", stderr);
    for (const auto& f : run.failed) std::fprintf(stderr, "Error: %s\n", f.c_str());
    return run.failed.empty() ? 0 : 1;
}

// The flags of the passes the library also runs by itself (snapshot schedule, image auto-update).
std::vector<FlagSpec> background_pass_flags() {
    return {{"at", 0, FlagKind::String, "Run as of this RFC 3339 time instead of now"},
            {"format", 'f', FlagKind::String, "Format (csv|json|table|yaml|compact) (default \"table\")"}};
}

}  // namespace

Command admin_command() {
    Command cmd;
    cmd.name = "admin";
    cmd.summary = "Manage the state directory";
    cmd.description =
        "Manage the state directory\n\n"
        "Tasks a daemon would run on its own schedule, for running them now or at a given time;\n"
        "first-use set-up (init) and disaster recovery (recover).";

    Command schedule;
    schedule.name = "snapshot-schedule";
    schedule.summary = "Take the scheduled snapshots due now and delete expired ones";
    schedule.description =
        "Take the scheduled snapshots due now and delete expired ones\n\n"
        "Instances whose snapshots.schedule (cron \"M H DoM Mon DoW\" in this machine's local\n"
        "time, or @hourly, @daily, ...) falls on the minute get a snapshot named by\n"
        "snapshots.pattern and expiring by snapshots.expiry; stopped instances only with\n"
        "snapshots.schedule.stopped=true. A minute's snapshot is taken once per instance, however\n"
        "often this runs. Then every snapshot whose expiry has passed is deleted. The library does\n"
        "this by itself every minute while a state directory is open; --at runs the pass as of\n"
        "another time. Exits 1 when a snapshot could not be taken or deleted.";
    schedule.examples =
        "inst admin snapshot-schedule\n"
        "    Run the pass for the current minute\n\n"
        "inst admin snapshot-schedule --at 2030-01-01T03:00:00Z --format json\n"
        "    Run it as of that time and print what it did as JSON";
    schedule.flags = background_pass_flags();
    schedule.max_args = 0;
    schedule.run = run_snapshot_schedule;
    cmd.children.push_back(std::move(schedule));

    Command autoupd;
    autoupd.name = "image-auto-update";
    autoupd.summary = "Refresh the auto_update images when images.auto_update_interval has passed";
    autoupd.description =
        "Refresh the auto_update images when images.auto_update_interval has passed\n\n"
        "Once images.auto_update_interval hours (default 6; 0: never) have passed since the last\n"
        "pass on this state directory, every image with auto_update set that came from an image\n"
        "server, in every project, is replaced by its server's newer version, as \"inst image\n"
        "refresh\" does (cached images only while images.auto_update_cached is true). The first\n"
        "look at a state directory only starts the clock. The library does this by itself every\n"
        "minute while a state directory is open; --at looks as of another time. Prints the images\n"
        "replaced; exits 1 when an image could not be refreshed (the others still are).";
    autoupd.examples =
        "inst admin image-auto-update\n"
        "    Refresh the auto_update images if the interval has passed\n\n"
        "inst admin image-auto-update --at 2030-01-01T03:00:00Z --format json\n"
        "    Look as of that time and print what was refreshed as JSON";
    autoupd.flags = background_pass_flags();
    autoupd.max_args = 0;
    autoupd.run = run_image_auto_update;
    cmd.children.push_back(std::move(autoupd));
    cmd.children.push_back(admin_recover_command());
    cmd.children.push_back(admin_init_command());
    return cmd;
}

}  // namespace li::cli
