// The state directory lock (a FileLock): one holder within a process and across processes, and a
// forked child (which a driver thread may create at any time) never keeps it after its owner lets
// go; FileLock's waiting form.
#include <doctest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <optional>
#include <sys/wait.h>
#include <unistd.h>

#include "core/state_dir_lock.hpp"
#include "sys/file_lock.hpp"
#include "libinstance/error.hpp"
#include "support/temp_state.hpp"

using namespace li;

namespace {

std::optional<ErrorCode> lock_error(const std::filesystem::path& dir, std::string* message = nullptr) {
    try {
        StateDirLock again(dir);
    } catch (const Error& e) {
        if (message) *message = e.what();
        return e.code();
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("state dir lock: a second holder in the same process is refused, naming this pid") {
    test::TempDir dir("li-lock");
    {
        StateDirLock first(dir.path());
        std::string message;
        CHECK(lock_error(dir.path(), &message) == ErrorCode::Busy);
        CHECK(message.find(std::to_string(::getpid())) != std::string::npos);
        // The refused attempt must not have released the first holder's lock.
        CHECK(lock_error(dir.path()) == ErrorCode::Busy);
        CHECK(lock_error(dir.path() / ".") == ErrorCode::Busy);
    }
    CHECK(lock_error(dir.path()) == std::nullopt);
}

TEST_CASE("state dir lock: another process is refused while it is held") {
    test::TempDir dir("li-lock");
    StateDirLock held(dir.path());
    pid_t child = ::fork();
    if (child == 0) _exit(lock_error(dir.path()) == ErrorCode::Busy ? 0 : 1);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("state dir lock: a forked child that outlives the holder does not keep the directory locked") {
    test::TempDir dir("li-lock");
    auto held = std::make_unique<StateDirLock>(dir.path());
    pid_t child = ::fork();
    if (child == 0) {
        ::pause();  // like a helper forked by another thread: holds every inherited descriptor
        _exit(0);
    }
    held.reset();
    CHECK(lock_error(dir.path()) == std::nullopt);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
}

TEST_CASE("file lock: a waiting thread gets it once the holder lets go, and a throwing wait gives up") {
    test::TempDir dir("li-file-lock");
    auto path = dir.path() / "entry.lock";
    auto held = std::make_optional<FileLock>(path);
    int polls = 0;
    CHECK_THROWS_AS(FileLock(path, [&] {
                        if (++polls == 3) throw Error(ErrorCode::Cancelled, "cancelled");
                    }),
                    Error);
    CHECK(polls == 3);

    std::atomic<bool> acquired = false;
    std::thread waiter([&] {
        FileLock mine(path);
        acquired = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(acquired.load());  // still held by this thread's lock
    held.reset();
    waiter.join();
    CHECK(acquired.load());
    pid_t holder = -1;
    CHECK(FileLock::try_lock(path, holder).has_value());  // released again by the waiter
}
