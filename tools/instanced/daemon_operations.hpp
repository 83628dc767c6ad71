#pragma once
// Operations the daemon itself owns, beside the library's: the websocket ones (exec, console) and
// the synchronous library calls LXD answers with an operation (renames). They are listed, waited
// on, cancelled and announced on /1.0/events exactly like the library's.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace li::daemon {

class EventListeners;
class Websocket;

struct DaemonOperationSpec {
    std::string class_ = "task";  ///< "task", "websocket" or "token"
    std::string description;
    std::string project = "default";
    nlohmann::json resources = nlohmann::json::object();  ///< {"instances": ["/1.0/instances/c1"]}
    nlohmann::json metadata = nullptr;
    bool may_cancel = false;
};

class DaemonOperation {
public:
    DaemonOperation(std::string id, DaemonOperationSpec spec, EventListeners& events);
    const std::string& id() const { return id_; }
    const std::string& project() const { return spec_.project; }
    /// LXD's api.Operation.
    nlohmann::json document() const;
    int status_code() const;
    bool done() const;
    /// Waits until it ended; false when the timeout passed first (negative: for ever).
    bool wait(std::chrono::milliseconds timeout) const;

    void set_running();
    void set_metadata(const std::string& key, nlohmann::json value);
    /// Ends it: Success when err is empty, else Failure with err.
    void finish(const std::string& err = {});
    void finish_cancelled();
    /// What cancelling it does (set by its owner); NotSupported when none.
    void on_cancel(std::function<void()> fn);
    void cancel();

    /// For websocket operations: what to do with a websocket opened with secret (nullptr when the
    /// secret is not one of the operation's, or was used already).
    using WebsocketConnect = std::function<std::function<void(std::shared_ptr<Websocket>)>(const std::string& secret)>;
    void set_websocket_connect(WebsocketConnect fn);
    std::function<void(std::shared_ptr<Websocket>)> connect_websocket(const std::string& secret);

private:
    void changed(std::unique_lock<std::mutex>& lock);

    std::string id_;
    DaemonOperationSpec spec_;
    EventListeners& events_;
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    int status_code_ = 105;
    std::string err_;
    std::string created_at_;
    std::string updated_at_;
    std::function<void()> cancel_;
    WebsocketConnect websocket_connect_;
    std::chrono::steady_clock::time_point ended_{};
    friend class DaemonOperations;
};

class DaemonOperations {
public:
    explicit DaemonOperations(EventListeners& events) : events_(events) {}
    /// A new operation, Pending until its owner runs it.
    std::shared_ptr<DaemonOperation> create(DaemonOperationSpec spec);
    /// work() run on a thread of its own as an operation: its answer (json) becomes the
    /// operation's metadata, an exception its error.
    std::shared_ptr<DaemonOperation> run(DaemonOperationSpec spec, std::function<nlohmann::json()> work);
    /// nullptr when unknown or expired.
    std::shared_ptr<DaemonOperation> get(const std::string& id);
    std::vector<std::shared_ptr<DaemonOperation>> list();

private:
    void prune();
    EventListeners& events_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<DaemonOperation>> ops_;
};

/// RFC 3339 with nanoseconds and offset, as LXD writes times.
std::string rfc3339_now();

}  // namespace li::daemon
