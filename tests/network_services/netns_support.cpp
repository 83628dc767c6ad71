#include "network_services/netns_support.hpp"

#include <array>
#include <cstdio>
#include <doctest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

namespace li::test {

Shell sh(const std::string& command) {
    Shell result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE_MESSAGE(pipe != nullptr, command);
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
    int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return result;
}

std::string sh_ok(const std::string& command) {
    Shell r = sh(command);
    INFO(command);
    INFO(r.output);
    REQUIRE(r.status == 0);
    return r.output;
}

ChildNetns::ChildNetns() {
    int ready[2], hold[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(hold) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
        ::close(ready[0]);
        ::close(hold[1]);
        char ok = ::unshare(CLONE_NEWNET) == 0 ? 1 : 0;
        (void)!::write(ready[1], &ok, 1);
        char c;
        (void)!::read(hold[0], &c, 1);  // until the parent closes its end
        ::_exit(0);
    }
    ::close(ready[1]);
    ::close(hold[0]);
    hold_fd_ = hold[1];
    char ok = 0;
    REQUIRE(::read(ready[0], &ok, 1) == 1);
    ::close(ready[0]);
    REQUIRE(ok == 1);
    sh_ok(in("ip link set lo up"));
}

ChildNetns::~ChildNetns() {
    if (hold_fd_ >= 0) ::close(hold_fd_);
    if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
}

std::string ChildNetns::in(const std::string& command) const {
    std::string quoted = "'";
    for (char c : command) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    return "nsenter --net=/proc/" + std::to_string(pid_) + "/ns/net -- sh -c " + quoted;
}

void ChildNetns::take(const std::string& interface) const {
    sh_ok("ip link set " + interface + " netns " + std::to_string(pid_));
}

}  // namespace li::test
