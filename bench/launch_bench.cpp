// Embedded launch benchmark: create+start a busybox container and `exec true`, in-process.
// Prints one JSON object with the per-iteration wall times in milliseconds.
// Usage: launch-bench STATE_DIR ITERATIONS
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <libinstance.hpp>

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string json_list(const std::vector<double>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); i++) out += (i ? "," : "") + std::to_string(v[i]);
    return out + "]";
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s STATE_DIR ITERATIONS\n", argv[0]);
        return 2;
    }
    int iterations = std::stoi(argv[2]);
    try {
        auto mgr = li::Manager::open(argv[1]);
        li::ImageBuildOptions build;
        build.alias = "busybox";
        mgr->images().build("default", build);
        std::vector<double> launch, exec, del;
        li::DeleteOptions force;
        force.force = true;
        for (int i = 0; i < iterations; i++) {
            li::api::InstancesPost post;
            post.name = "bench-" + std::to_string(i);
            post.source.alias = "busybox";
            post.start = true;
            auto t0 = std::chrono::steady_clock::now();
            auto inst = mgr->instances().create("default", post);
            launch.push_back(ms_since(t0));
            t0 = std::chrono::steady_clock::now();
            auto r = inst.exec({"true"});
            exec.push_back(ms_since(t0));
            if (r.exit_code != 0) throw li::Error(li::ErrorCode::Internal, "exec true failed");
            t0 = std::chrono::steady_clock::now();
            inst.remove(force);
            del.push_back(ms_since(t0));
        }
        std::printf("{\"launch\":%s,\"exec\":%s,\"delete\":%s}\n", json_list(launch).c_str(), json_list(exec).c_str(),
                    json_list(del).c_str());
        return 0;
    } catch (const li::Error& e) {
        std::fprintf(stderr, "launch-bench: %s\n", e.what());
        return 1;
    }
}
