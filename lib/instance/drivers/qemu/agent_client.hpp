#pragma once
// The host side of the VM agent protocol (lib/vmagent/protocol.hpp, ADR 0015): one connection to
// the unix socket QEMU listens on for the guest's agent port, multiplexing exec and file calls
// from any number of threads.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "sys/unique_fd.hpp"
#include "vmagent/protocol.hpp"

namespace li {

class VmAgentClient {
public:
    VmAgentClient() = default;
    ~VmAgentClient();
    VmAgentClient(const VmAgentClient&) = delete;
    VmAgentClient& operator=(const VmAgentClient&) = delete;

    /// Connects (once) and waits until the agent answers: retries while the socket does not exist
    /// or the agent does not answer (the guest may still be booting), up to timeout; then
    /// Timeout naming the socket. A new connection ends the agent's earlier session (its commands).
    void connect(const std::filesystem::path& socket_path, std::chrono::milliseconds timeout);
    /// Closes the connection: running calls fail (Backend), the agent kills their commands when the
    /// next host connects. Safe from any thread. A closed client stays closed: QEMU serves one
    /// connection at a time, so share one client per VM and make a new one when !connected()
    /// (the guest rebooted or its agent restarted: the new agent's announcement ends the session).
    void close();
    bool connected() const { return fd_ && !broken_.load(); }

    /// The agent's version (a readiness probe).
    std::string ping();

    /// Instance::exec() semantics (see ExecOptions), in the guest. on_started is never called: a
    /// guest command has no host pid (on_signal_ready gives the way to signal it). In terminal mode
    /// the command gets a pty of the guest as controlling terminal; stdin_fd, when a terminal, is
    /// switched to raw mode meanwhile (the guest's pty does echo and line editing), and its window
    /// size is sent at start and whenever it changes (checked every 250 ms).
    ExecResult exec(const std::vector<std::string>& argv, const ExecOptions& opts);

    /// File calls on absolute guest paths, as Instance::file_*() describe them.
    FileInfo stat(const std::string& path);
    /// Streams a regular file's content to out_fd.
    void read_file(const std::string& path, int out_fd);
    /// Writes path from in_fd (read to its end), atomically (temporary file renamed into place).
    void write_file(const std::string& path, int in_fd, const FileOptions& opts = {});
    void mkdir(const std::string& path, const FileOptions& opts = {});
    /// A symlink at path pointing to target (Instance::file_symlink's order).
    void symlink(const std::string& path, const std::string& target, const FileOptions& opts = {});
    /// A file, a symlink or an empty directory.
    void remove(const std::string& path);

    struct Call;

private:
    std::shared_ptr<Call> open_call();
    void end_call(uint32_t id);
    void send(vmagent::MsgType type, uint32_t channel, std::string_view payload = {});
    void call_done(vmagent::MsgType type, std::string_view payload);
    void read_loop();
    void fail_all(const std::string& why);
    [[noreturn]] void throw_broken() const;
    std::string broken_why() const;
    Error bad_answer(const vmagent::ProtocolError& e) const;

    std::filesystem::path socket_path_;
    UniqueFd fd_;
    uint64_t session_ = 0;
    std::string agent_version_;
    std::thread reader_;
    std::mutex send_mutex_;
    mutable std::mutex calls_mutex_;
    std::map<uint32_t, std::shared_ptr<Call>> calls_;
    std::atomic<uint32_t> next_id_{1};
    std::atomic<bool> broken_{false};
    std::string broken_why_;  // under calls_mutex_
    vmagent::FrameParser parser_;
};

}  // namespace li
