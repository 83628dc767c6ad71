#pragma once
// instanced's process: the Manager of one state directory, served over <state>/unix.socket until
// `instanced shutdown`, SIGTERM or SIGINT.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>
#include <string>

#include "libinstance/manager.hpp"
#include "daemon_operations.hpp"
#include "event_listeners.hpp"
#include "http_session.hpp"
#include "router.hpp"
#include "tls_identity.hpp"
#include "exec_outputs.hpp"
#include "trust_store.hpp"

namespace li::daemon {

struct DaemonOptions {
    std::filesystem::path state_dir;  ///< empty: $LIBINSTANCE_DIR, else the default
    std::string group;                ///< group owning the socket ("": root's)
    size_t body_limit = 64 * 1024 * 1024;  ///< largest request body held in memory; bigger ones get 413
    /// Largest upload body (image, backup, file), streamed to disk; bigger ones get 413.
    uint64_t upload_limit = uint64_t{64} << 30;
    unsigned workers = 4;                  ///< threads running handlers (never the I/O thread)
};

class HttpsListener;

class Daemon {
public:
    explicit Daemon(DaemonOptions opts);
    ~Daemon();
    /// Serves until shutdown; returns the process exit status.
    int run();
    /// Stops accepting and ends run() once the answers in progress are written.
    void request_shutdown();
    Manager& manager() { return *manager_; }
    DaemonOperations& operations() { return operations_; }
    EventListeners& listeners() { return listeners_; }
    boost::asio::io_context& io() { return io_; }
    TrustStore& trust() { return trust_; }
    /// Where record-output execs leave their output.
    ExecOutputs& exec_outputs() { return exec_outputs_; }
    const ServerIdentity& server_identity() const { return server_identity_; }
    /// Serves HTTPS on address ("" stops); blocks until done on the I/O thread. InvalidArgument
    /// (key "core.https_address") when it cannot listen there.
    void listen_https(const std::string& address);
    /// Where HTTPS clients reach the daemon (empty when it does not listen).
    std::vector<std::string> https_addresses();
    static std::filesystem::path socket_path(const std::filesystem::path& state_dir);

private:
    void accept();
    void finish_operations();

    DaemonOptions opts_;
    std::shared_ptr<Manager> manager_;
    boost::asio::io_context io_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::signal_set signals_;
    Router router_;
    boost::asio::thread_pool workers_;
    EventListeners listeners_;
    DaemonOperations operations_;
    SessionContext session_context_;
    ServerIdentity server_identity_;
    TrustStore trust_;
    ExecOutputs exec_outputs_;
    std::unique_ptr<Subscription> exec_outputs_follow_;  // keeps them with their instances
    std::unique_ptr<HttpsListener> https_;
    std::mutex https_mutex_;
    std::vector<std::string> https_addresses_;
    std::filesystem::path socket_path_;
};

}  // namespace li::daemon
