// Files in real containers: ownership seen from inside, running and stopped, a large file
// streamed with bounded memory, and symlinks (planted or swapped in meanwhile) never leading out.
#include <doctest.h>

#include <atomic>
#include <cstdio>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "integration/shared_manager.hpp"
#include "sys/sha256.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

std::string out_of(Instance& c, const std::vector<std::string>& argv) {
    auto r = c.exec(argv);
    REQUIRE_MESSAGE(r.exit_code == 0, r.stderr_data);
    return r.stdout_data;
}

// Peak resident memory of this process, in KiB.
long peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
    return 0;
}

}  // namespace

TEST_CASE("files pushed to a running container are owned as asked, seen from inside") {
    Instance c = launch("files1");
    FileOptions opts;
    opts.uid = 1000;
    opts.gid = 1000;
    opts.mode = 0600;
    opts.create_parents = true;
    c.file_push_data("/home/user/notes", "notes\n", opts);
    CHECK(out_of(c, {"stat", "-c", "%u %g %a", "/home/user/notes"}) == "1000 1000 600\n");
    CHECK(out_of(c, {"stat", "-c", "%u", "/home/user"}) == "1000\n");
    c.file_push_data("/root/by-root", "r");
    CHECK(out_of(c, {"stat", "-c", "%u %g %a", "/root/by-root"}) == "0 0 644\n");
    // What the container writes is pulled with its owner as the container sees it.
    out_of(c, {"sh", "-c", "echo made inside > /tmp/inside && chown 33:44 /tmp/inside && chmod 0751 /tmp/inside"});
    FILE* f = std::tmpfile();
    FileInfo info = c.file_pull("/tmp/inside", fileno(f));
    std::fclose(f);
    CHECK(info.uid == 33);
    CHECK(info.gid == 44);
    CHECK(info.mode == 0751);
    CHECK(info.size == 12);
    c.file_symlink("/root/link", "/root/by-root");
    CHECK(out_of(c, {"readlink", "/root/link"}) == "/root/by-root\n");
    c.file_delete("/root/link");
    CHECK(c.exec({"test", "-e", "/root/link"}).exit_code != 0);
    c.remove({.force = true});
}

TEST_CASE("files of a stopped container are pushed and pulled with the volume mounted for the call") {
    Instance c = launch("files2", false);
    FileOptions opts;
    opts.uid = 7;
    c.file_push_data("/root/offline", "written while stopped", opts);
    FILE* f = std::tmpfile();
    FileInfo info = c.file_pull("/root/offline", fileno(f));
    std::fclose(f);
    CHECK(info.uid == 7);
    CHECK(c.file_stat("/").type == "directory");
    c.start();
    CHECK(out_of(c, {"cat", "/root/offline"}) == "written while stopped");
    CHECK(out_of(c, {"stat", "-c", "%u %g", "/root/offline"}) == "7 0\n");
    c.remove({.force = true});
}

TEST_CASE("a large file streams in and out with bounded memory and the same sha256") {
    Instance c = launch("files3");
    TempDir dir{"li-files-big"};
    fs::path src = dir.path() / "big";
    Sha256 digest;
    {
        std::ofstream out(src, std::ios::binary);
        std::string block(1 << 20, '\0');
        for (int i = 0; i < 96; ++i) {  // 96 MiB
            for (size_t j = 0; j < block.size(); j += 4096) block[j] = static_cast<char>(i * 31 + j / 4096);
            out.write(block.data(), static_cast<std::streamsize>(block.size()));
            digest.update(block);
        }
    }
    std::string expected = digest.hex_digest();
    long before = peak_rss_kib();
    int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(in >= 0);
    c.file_push("/root/big", in);
    ::close(in);
    CHECK(out_of(c, {"sha256sum", "/root/big"}).substr(0, 64) == expected);
    fs::path back = dir.path() / "back";
    int out = ::open(back.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FileInfo info = c.file_pull("/root/big", out);
    ::close(out);
    CHECK(info.size == 96u << 20);
    CHECK(sha256_file(back) == expected);
    long grown = peak_rss_kib() - before;
    MESSAGE("peak RSS grew by " << grown << " KiB moving 2 x 96 MiB");
    CHECK(grown < 32 * 1024);
    c.remove({.force = true});
}

TEST_CASE("symlinks never lead pushes or pulls out of the container") {
    Instance c = launch("files4");
    TempDir host{"li-files-host"};
    std::ofstream(host.path() / "secret") << "HOST";
    // Planted: an absolute symlink to the host directory, and a climbing relative one.
    out_of(c, {"ln", "-s", host.path().string(), "/tmp/abs"});
    out_of(c, {"ln", "-s", "../../../../../../.." + host.path().string(), "/tmp/rel"});
    for (std::string via : {"/tmp/abs", "/tmp/rel"}) {
        CAPTURE(via);
        Error pull = error_of([&] { c.file_pull(via + "/secret", -1); });
        CHECK(pull.code() == ErrorCode::NotFound);
        CHECK(std::string(pull.what()).find(via + "/secret") != std::string::npos);
        Error push = error_of([&] { c.file_push_data(via + "/planted", "evil"); });
        CHECK(push.code() == ErrorCode::NotFound);
        CHECK(std::string(push.what()).find(via + "/planted") != std::string::npos);
    }
    Error up = error_of([&] { c.file_pull("/../../../etc/shadow", -1); });
    CHECK(up.code() == ErrorCode::InvalidArgument);
    CHECK(up.key() == "path");

    // Swapped: the container flips a directory and a symlink to the host dir while we work.
    out_of(c, {"sh", "-c", "mkdir -p /tmp/d && echo CONTAINER > /tmp/d/secret"});
    std::string loop = fmt::format(
        "while :; do mv /tmp/d /tmp/d.real; ln -s {} /tmp/d; rm /tmp/d; mv /tmp/d.real /tmp/d; done", host.path().string());
    std::thread swapper([&] { c.exec({"timeout", "4", "sh", "-c", loop}); });
    int pushed = 0, pulled = 0, refused = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < until) {
        try {
            c.file_push_data("/tmp/d/dropped", "x");
            ++pushed;
        } catch (const Error&) {
            ++refused;
        }
        FILE* f = std::tmpfile();
        try {
            c.file_pull("/tmp/d/secret", fileno(f));
            ::lseek(fileno(f), 0, SEEK_SET);
            char buf[16] = {};
            CHECK(std::string(buf, static_cast<size_t>(::read(fileno(f), buf, sizeof buf))) == "CONTAINER\n");
            ++pulled;
        } catch (const Error&) {
            ++refused;
        }
        std::fclose(f);
    }
    swapper.join();
    MESSAGE("pushed " << pushed << ", pulled " << pulled << ", refused " << refused);
    CHECK(pushed + pulled > 0);
    CHECK_FALSE(fs::exists(host.path() / "dropped"));
    CHECK_FALSE(fs::exists(host.path() / "planted"));
    std::ifstream secret(host.path() / "secret");
    std::string text((std::istreambuf_iterator<char>(secret)), std::istreambuf_iterator<char>());
    CHECK(text == "HOST");
    c.remove({.force = true});
}
