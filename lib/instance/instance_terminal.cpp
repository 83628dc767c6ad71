// Instance::open_terminal: a pseudo-terminal from the instance's own devpts, so that what runs
// inside sees a terminal it can name (tty, ttyname, /dev/pts/N), as LXD's interactive exec gives.
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <utility>

#include "client/rest_streams.hpp"
#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "sys/fs.hpp"
#include "sys/unique_fd.hpp"

namespace li {

Terminal::~Terminal() {
    release_slave();
    if (master_ >= 0) ::close(master_);
}

Terminal::Terminal(Terminal&& other) noexcept
    : master_(std::exchange(other.master_, -1)), slave_(std::exchange(other.slave_, -1)) {}

Terminal& Terminal::operator=(Terminal&& other) noexcept {
    if (this != &other) {
        this->~Terminal();
        master_ = std::exchange(other.master_, -1);
        slave_ = std::exchange(other.slave_, -1);
    }
    return *this;
}

void Terminal::resize(uint32_t width, uint32_t height) {
    if (master_ < 0) throw Error(ErrorCode::Conflict, "the terminal is closed");
    struct winsize ws {};
    ws.ws_col = static_cast<unsigned short>(width);
    ws.ws_row = static_cast<unsigned short>(height);
    if (::ioctl(master_, TIOCSWINSZ, &ws) != 0) throw Error::from_errno("resizing the terminal", errno);
}

void Terminal::release_slave() {
    if (slave_ >= 0) ::close(slave_);
    slave_ = -1;
}

int Terminal::release_master() { return std::exchange(master_, -1); }

Terminal Instance::open_terminal(const ConsoleOptions& size) {
    if (auto rest = core_->rest()) return rest::open_terminal(rest, project_, name_, size);
    api::InstanceState st = state();
    if (st.status_code != 103 || st.pid <= 0)
        throw Error(ErrorCode::Conflict, fmt::format("instance \"{}\" is not running", name_), "name");
    // The instance's /dev/pts/ptmx, resolved inside its root: a link planted there cannot lead
    // to a file of the host.
    std::string root = fmt::format("/proc/{}/root", st.pid);
    UniqueFd master(open_in_root(root, "dev/pts/ptmx", O_RDWR | O_NOCTTY, 0));
    struct stat sb {};
    if (::fstat(master.get(), &sb) != 0 || !S_ISCHR(sb.st_mode) || major(sb.st_rdev) != 5 || minor(sb.st_rdev) != 2)
        throw Error(ErrorCode::Backend, fmt::format("instance \"{}\" has no usable /dev/pts/ptmx", name_));
    int unlock = 0;
    if (::ioctl(master.get(), TIOCSPTLCK, &unlock) != 0) throw Error::from_errno("unlocking the terminal", errno);
    // TIOCGPTPEER opens the slave from the master itself: no path, so nothing to trick.
    int slave = ::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) throw Error::from_errno("opening the terminal's slave side", errno);
    Terminal terminal(master.release(), slave);
    if (size.width > 0 && size.height > 0) terminal.resize(size.width, size.height);
    return terminal;
}

}  // namespace li
