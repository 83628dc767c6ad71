// Launches a busybox container through the C++ API, runs `uname -a` in it and deletes it.
// Usage: launch-cpp STATE_DIR
#include <iostream>

#include <libinstance.hpp>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " STATE_DIR\n";
        return 2;
    }
    try {
        auto mgr = li::Manager::open(argv[1]);

        // Build the busybox image the first time only.
        try {
            mgr->images().get("default", "busybox");
        } catch (const li::Error& e) {
            if (e.code() != li::ErrorCode::NotFound) {
                throw;
            }
            li::ImageBuildOptions opts;
            opts.alias = "busybox";
            mgr->images().build("default", opts);
        }

        li::DeleteOptions force;
        force.force = true;

        // A run that was interrupted may have left the container behind.
        try {
            mgr->instances().get("default", "example-cpp").remove(force);
        } catch (const li::Error& e) {
            if (e.code() != li::ErrorCode::NotFound) {
                throw;
            }
        }

        li::api::InstancesPost post;
        post.name = "example-cpp";
        post.source.alias = "busybox";
        post.start = true;  // create, then start, like `lxc launch`
        auto inst = mgr->instances().create("default", post);

        int rc = 0;
        try {
            auto result = inst.exec({"uname", "-a"});
            std::cout << result.stdout_data;
            rc = result.exit_code;
        } catch (...) {
            inst.remove(force);
            throw;
        }
        inst.remove(force);
        return rc;
    } catch (const li::Error& e) {
        std::cerr << "error: " << e.what() << " (" << li::error_code_name(e.code()) << ")\n";
        return 1;
    }
}
