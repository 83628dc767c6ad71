#include "exec_io.hpp"

#include <boost/asio/write.hpp>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include "websocket.hpp"

namespace li::daemon {

namespace asio = boost::asio;

OutputPump::OutputPump(asio::io_context& io, int fd, std::shared_ptr<Websocket> ws, std::function<void()> on_done)
    : descriptor_(io, fd), ws_(std::move(ws)), on_done_(std::move(on_done)) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void OutputPump::start() { wait(); }

void OutputPump::command_exited() {
    exited_ = true;
    if (waiting_) descriptor_.cancel();  // its handler reads what is left, then ends
}

void OutputPump::wait() {
    waiting_ = true;
    descriptor_.async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
        self->waiting_ = false;
        if (self->done_ || (ec && !self->exited_)) return;
        self->read_now();
    });
}

void OutputPump::read_now() {
    char buf[32 * 1024];
    ssize_t n;
    do n = ::read(descriptor_.native_handle(), buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        ws_->send(std::string(buf, static_cast<size_t>(n)), true, [self = shared_from_this()] {
            if (self->exited_) self->read_now();
            else self->wait();
        });
        return;
    }
    if (n < 0 && errno == EAGAIN && !exited_) return wait();
    finish();  // end of file, a terminal whose last user left (EIO), or nothing left after the exit
}

void OutputPump::finish() {
    if (done_) return;
    done_ = true;
    boost::system::error_code ignored;
    descriptor_.close(ignored);
    ws_->send(std::string(), false, [self = shared_from_this()] {
        if (auto on_done = std::move(self->on_done_)) on_done();
    });
}

InputSink::InputSink(asio::io_context& io, int fd) : descriptor_(io, fd) {}

void InputSink::push(std::string data) {
    if (closed_ || end_requested_ || data.empty()) return;
    queue_.push_back(std::move(data));
    if (queue_.size() == 1) write_next();
}

void InputSink::end() {
    end_requested_ = true;
    if (queue_.empty()) close();
}

void InputSink::write_next() {
    asio::async_write(descriptor_, asio::buffer(queue_.front()), [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
        if (ec) return self->close();  // the command closed its stdin: drop the rest
        self->queue_.pop_front();
        if (!self->queue_.empty()) self->write_next();
        else if (self->end_requested_) self->close();
    });
}

void InputSink::close() {
    closed_ = true;
    queue_.clear();
    boost::system::error_code ignored;
    descriptor_.close(ignored);
}

}  // namespace li::daemon
