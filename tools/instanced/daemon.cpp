#include "daemon.hpp"

#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <future>
#include <fmt/format.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "body_files.hpp"
#include "libinstance/error.hpp"
#include "exec_routes.hpp"
#include "certificate_routes.hpp"
#include "http_session.hpp"
#include "https_listener.hpp"
#include "backup_routes.hpp"
#include "image_routes.hpp"
#include "log_routes.hpp"
#include "file_routes.hpp"
#include "resource_routes.hpp"
#include "console_session.hpp"
#include "snapshot_routes.hpp"
#include "instance_routes.hpp"
#include "operation_routes.hpp"
#include "project_routes.hpp"
#include "profile_routes.hpp"
#include "network_routes.hpp"
#include "storage_routes.hpp"
#include "server_routes.hpp"

namespace li::daemon {

namespace asio = boost::asio;
using Local = asio::local::stream_protocol;

namespace {

// A socket file left by a daemon that died is removed; one a live daemon answers on is not.
void remove_stale_socket(asio::io_context& io, const std::filesystem::path& path) {
    if (!std::filesystem::exists(std::filesystem::symlink_status(path))) return;
    Local::socket probe(io);
    boost::system::error_code ec;
    probe.connect(Local::endpoint(path.string()), ec);
    if (!ec) throw Error(ErrorCode::Busy, fmt::format("a daemon already answers on {}", path.string()), "socket");
    std::filesystem::remove(path);
}

void set_socket_access(const std::filesystem::path& path, const std::string& group) {
    gid_t gid = 0;
    if (!group.empty()) {
        struct group* g = ::getgrnam(group.c_str());
        if (!g) throw Error::invalid("group", fmt::format("unknown group \"{}\"", group));
        gid = g->gr_gid;
    }
    if (::chown(path.c_str(), 0, gid) != 0) throw Error::from_errno("chown " + path.string(), errno);
    if (::chmod(path.c_str(), 0660) != 0) throw Error::from_errno("chmod " + path.string(), errno);
}

}  // namespace

std::filesystem::path Daemon::socket_path(const std::filesystem::path& state_dir) {
    return (state_dir.empty() ? Manager::default_state_dir() : state_dir) / "unix.socket";
}

Daemon::Daemon(DaemonOptions opts)
    : opts_(std::move(opts)),
      manager_(Manager::open(opts_.state_dir)),
      acceptor_(io_),
      signals_(io_, SIGTERM, SIGINT),
      workers_(opts_.workers),
      listeners_(manager_->events()),
      operations_(listeners_),
      session_context_{router_, workers_, opts_.body_limit, opts_.upload_limit, {}},
      server_identity_(load_or_create_server_identity(manager_->state_dir() / "instanced")),
      trust_(manager_->state_dir() / "instanced" / "certificates.json"),
      exec_outputs_(manager_->state_dir() / "instanced" / "exec-output"),
      https_(std::make_unique<HttpsListener>(io_, session_context_, trust_, server_identity_)) {
    socket_path_ = manager_->state_dir() / "unix.socket";
    session_context_.scratch_dir = daemon_dir(*this, "scratch");
    exec_outputs_follow_ = exec_outputs_.follow(manager_->events());
    // The daemon lives long: each running container keeps an exec agent from its start on, so
    // every exec forks from it instead of attaching through liblxc (ADR 0011).
    manager_->set_exec_agent_policy(ExecAgentPolicy::AtStart);
    add_server_routes(router_, *this);
    add_project_routes(router_, *manager_);
    add_operation_routes(router_, *this);
    add_certificate_routes(router_, *this);
    add_instance_routes(router_, *this);
    add_profile_routes(router_, *manager_);
    add_network_routes(router_, *manager_);
    add_storage_routes(router_, *this);
    add_exec_routes(router_, *this);
    add_image_routes(router_, *this);
    add_snapshot_routes(router_, *this);
    add_backup_routes(router_, *this);
    add_log_routes(router_, *this);
    add_file_routes(router_, *this);
    add_resource_routes(router_);
    add_console_routes(router_, *this);
    remove_stale_socket(io_, socket_path_);
    acceptor_.open(Local());
    acceptor_.bind(Local::endpoint(socket_path_.string()));
    set_socket_access(socket_path_, opts_.group);
    acceptor_.listen();
    https_->listen(manager_->get_config("core.https_address"));
    https_addresses_ = https_->addresses();
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
        if (!ec) request_shutdown();
    });
}

Daemon::~Daemon() {
    workers_.stop();  // handlers still running finish before what they use goes
    workers_.join();
    std::error_code ec;
    std::filesystem::remove(socket_path_, ec);
}

void Daemon::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, Local::socket socket) {
        if (ec) return;  // closed by shutdown
        serve_connection(std::move(socket), session_context_);
        accept();
    });
}

int Daemon::run() {
    accept();
    std::fprintf(stderr, "instanced: serving %s on %s\n", manager_->state_dir().c_str(), socket_path_.c_str());
    io_.run();
    finish_operations();
    std::fprintf(stderr, "instanced: shut down\n");
    return 0;
}

// A graceful end: operations still running are cancelled when they can be and waited for (30 s
// at most each) so none is cut off halfway; instances keep running.
void Daemon::finish_operations() {
    for (const auto& info : manager_->operations().list()) {
        if (info.status_code >= 200) continue;
        try {
            Operation op = manager_->operations().get(info.id);
            if (info.may_cancel) op.cancel();
            if (!op.wait(std::chrono::seconds(30))) std::fprintf(stderr, "instanced: operation %s still running\n", info.id.c_str());
        } catch (const std::exception&) {
            // ended and expired in between
        }
    }
}

void Daemon::listen_https(const std::string& address) {
    std::promise<void> done;
    asio::post(io_, [&] {
        try {
            https_->listen(address);
            std::lock_guard lock(https_mutex_);
            https_addresses_ = https_->addresses();
            done.set_value();
        } catch (...) {
            done.set_exception(std::current_exception());
        }
    });
    done.get_future().get();
}

std::vector<std::string> Daemon::https_addresses() {
    std::lock_guard lock(https_mutex_);
    return https_addresses_;
}

void Daemon::request_shutdown() {
    asio::post(io_, [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        signals_.cancel(ignored);
        https_->listen("");
        std::error_code gone;
        std::filesystem::remove(socket_path_, gone);  // new clients fail at once instead of hanging
        // Answers already being written (the shutdown request's own) get a moment to go out.
        auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(200));
        timer->async_wait([this, timer](const boost::system::error_code&) { io_.stop(); });
    });
}

}  // namespace li::daemon
