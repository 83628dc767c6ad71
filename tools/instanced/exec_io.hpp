#pragma once
// The two halves of an exec's stream plumbing on the I/O context: OutputPump carries what the
// command writes (a pipe or the terminal's master side) to a websocket, one chunk in flight at a
// time so a slow client slows the command rather than the daemon's memory; InputSink writes what
// a websocket sends into the command's stdin.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace li::daemon {

class Websocket;

class OutputPump : public std::enable_shared_from_this<OutputPump> {
public:
    /// Takes ownership of fd. on_done runs once, after the end-of-stream barrier (an empty text
    /// message) was written.
    OutputPump(boost::asio::io_context& io, int fd, std::shared_ptr<Websocket> ws, std::function<void()> on_done);
    void start();
    /// The command has exited: what it wrote is all in the pipe, so the pump ends as soon as the
    /// pipe has nothing more to read, even if a process it left behind keeps the pipe open.
    void command_exited();

private:
    void wait();
    void read_now();
    void finish();

    boost::asio::posix::stream_descriptor descriptor_;
    std::shared_ptr<Websocket> ws_;
    std::function<void()> on_done_;
    bool waiting_ = false;
    bool exited_ = false;
    bool done_ = false;
};

class InputSink : public std::enable_shared_from_this<InputSink> {
public:
    /// Takes ownership of fd.
    InputSink(boost::asio::io_context& io, int fd);
    void push(std::string data);
    /// Closes the command's stdin once what was pushed is written.
    void end();

private:
    void write_next();
    void close();

    boost::asio::posix::stream_descriptor descriptor_;
    std::deque<std::string> queue_;
    bool end_requested_ = false;
    bool closed_ = false;
};

}  // namespace li::daemon
