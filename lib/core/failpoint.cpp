// Failpoints for the crash-safety tests (see failpoint.hpp).

#include "core/failpoint.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace li::failpoint {

void reached(std::string_view name) {
    const char* spec_env = std::getenv("LIBINSTANCE_FAILPOINT");
    if (!spec_env || !*spec_env) return;
    std::string_view spec = spec_env;
    if (spec.starts_with("list:")) {
        // O_APPEND with one write per line keeps lines whole across threads and processes.
        std::string path(spec.substr(5));
        int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) return;
        std::string line = std::string(name) + "\n";
        [[maybe_unused]] auto written = ::write(fd, line.data(), line.size());
        ::close(fd);
        return;
    }
    std::string_view target = spec;
    long wanted = 1;
    if (auto hash = spec.find('#'); hash != std::string_view::npos) {
        target = spec.substr(0, hash);
        wanted = std::strtol(std::string(spec.substr(hash + 1)).c_str(), nullptr, 10);
    }
    if (target != name) return;
    static std::mutex mutex;
    static std::map<std::string, long, std::less<>> hits;
    std::lock_guard lock(mutex);
    if (++hits[std::string(name)] == wanted) ::kill(::getpid(), SIGKILL);
}

}  // namespace li::failpoint
