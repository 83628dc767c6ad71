#pragma once
// The guest agent's session: the calls of the one host connection (see protocol.hpp), served from a
// single-threaded poll loop. The transport (agent_main.cpp) feeds it frames and sends what it
// queues; every descriptor it owns is non-blocking and close-on-exec.

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vmagent/protocol.hpp"

namespace vmagent {

struct Channel;

class Agent {
public:
    Agent();
    ~Agent();

    /// A frame from the host. Throws ProtocolError on a violation (the caller then drops the session).
    void on_frame(Frame& frame);
    /// Kills the commands and drops the calls of the current session; frames are hunted for anew.
    void drop_session();
    /// Queues the session-0 HELLO_ACK that tells a connected host its session is gone.
    void announce();
    uint64_t session() const { return session_; }

    /// Adds the descriptors to wait for; returns the poll timeout in ms (-1: none).
    int prepare_poll(std::vector<pollfd>& fds);
    /// Does whatever non-blocking work is possible (after poll returned, or at any time).
    void service();

    /// Bytes queued for the host (frames of this session).
    std::string& out() { return out_; }
    size_t& out_offset() { return out_off_; }
    /// Forget unsent output (the host went away).
    void discard_output() { out_.clear(); out_off_ = 0; }

private:
    void send(MsgType type, uint32_t channel, std::string_view payload = {});
    void send_error(uint32_t channel, int err, const std::string& message);
    bool output_room() const { return out_.size() - out_off_ < 1024 * 1024; }
    void reap();
    void start_exec(uint32_t id, Reader& r);
    void service_exec(Channel& c);
    void service_read(Channel& c);
    void close_channel(uint32_t id);

    uint64_t session_ = 0;
    int sigchld_fd_ = -1;
    std::map<uint32_t, std::unique_ptr<Channel>> channels_;
    std::map<pid_t, uint32_t> pids_;
    std::string out_;
    size_t out_off_ = 0;
};

}  // namespace vmagent
