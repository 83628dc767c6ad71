#include <doctest.h>
#include <cstdlib>
#include <filesystem>

#include "instance/drivers/lxc/lxc_render.hpp"
#include "sys/fs.hpp"

using namespace li;
namespace fs = std::filesystem;

namespace {
void check_golden(const std::string& name, const std::string& actual) {
    fs::path file = fs::path(LI_GOLDEN_DIR) / name;
    if (const char* update = std::getenv("LI_UPDATE_GOLDEN"); update && *update == '1') write_file_atomic(file, actual);
    REQUIRE_MESSAGE(fs::exists(file), "missing golden file ", file.string());
    CHECK(read_file(file) == actual);
}
}  // namespace

TEST_CASE("liblxc config of an unprivileged busybox container") {
    LxcRenderInput in;
    in.lxc_name = "c1";
    in.hostname = "c1";
    in.rootfs = "/var/lib/libinstance/storage-pools/default/containers/c1/rootfs";
    in.idmap = IdMap{{1000000, 1000000000}, {1000000, 1000000000}};
    in.halt_signal = "SIGUSR1";
    in.seccomp_file = "/var/lib/libinstance/containers/c1/seccomp";
    in.config = {{"environment.FOO", "bar"}, {"user.ignored", "x"}};
    check_golden("lxc-config-basic.conf", render_lxc_config(in));
}

TEST_CASE("seccomp policy") { check_golden("seccomp-default.txt", render_seccomp_policy()); }
