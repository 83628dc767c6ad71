// Event bus overhead: create+start+delete of busybox containers with no subscriber and with a
// subscriber that never returns from its callback (its queue fills and events are dropped),
// interleaved in rounds. Prints the medians per container and their ratio as JSON.
// Usage: events-bench STATE_DIR [CONTAINERS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <libinstance.hpp>

namespace {
// Per-container wall times (ms) of create+start+delete.
std::vector<double> run_loop(li::Manager& mgr, int containers, const std::string& prefix) {
    std::vector<double> times;
    for (int i = 0; i < containers; i++) {
        auto t0 = std::chrono::steady_clock::now();
        li::api::InstancesPost post;
        post.name = prefix + std::to_string(i);
        post.source.alias = "busybox";
        post.start = true;
        auto inst = mgr.instances().create("default", post);
        li::DeleteOptions force;
        force.force = true;
        inst.remove(force);
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return times;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s STATE_DIR [CONTAINERS]\n", argv[0]);
        return 2;
    }
    int containers = argc > 2 ? std::stoi(argv[2]) : 50;
    constexpr int kRounds = 5;  // interleaved, so slow phases of the disk hit both sides alike
    try {
        auto mgr = li::Manager::open(argv[1]);
        li::ImageBuildOptions build;
        build.alias = "busybox";
        mgr->images().build("default", build);
        run_loop(*mgr, 3, "warm");  // first-use costs (image unpack) out of the measurement
        std::vector<double> without, with;
        uint64_t dropped = 0;
        for (int round = 0; round < kRounds; round++) {
            auto plain = run_loop(*mgr, containers / kRounds, "plain" + std::to_string(round) + "-");
            without.insert(without.end(), plain.begin(), plain.end());

            std::mutex never;
            never.lock();
            li::EventFilter filter;
            filter.log_level = "debug";
            filter.queue_size = 64;
            auto sub = mgr->events().subscribe(filter, [&](const std::string&) { std::lock_guard block(never); });
            auto stuck = run_loop(*mgr, containers / kRounds, "stuck" + std::to_string(round) + "-");
            with.insert(with.end(), stuck.begin(), stuck.end());
            dropped += sub->dropped();
            never.unlock();
            sub->unsubscribe();
        }
        std::printf("{\"containers\":%zu,\"median_without_subscriber_ms\":%.1f,\"median_with_stuck_subscriber_ms\":%.1f,"
                    "\"ratio\":%.3f,\"dropped\":%llu}\n",
                    without.size() + with.size(), median(without), median(with), median(with) / median(without),
                    static_cast<unsigned long long>(dropped));
        return 0;
    } catch (const li::Error& e) {
        std::fprintf(stderr, "events-bench: %s\n", e.what());
        return 1;
    }
}
