// RestTransport against a canned server on a unix socket: LXD's envelope decoded, errors mapped
// to li::Error codes with the server's message, the kept-alive connection reused and reopened,
// oversized answers refused; URL parsing and trust tokens.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "client/rest_transport.hpp"
#include "client/rest_trust.hpp"
#include "client/tls_identity.hpp"
#include "libinstance/error.hpp"
#include "support/temp_state.hpp"

using li::Error;
using li::ErrorCode;
using li::test::TempDir;
using nlohmann::json;

namespace {

// Answers each request it reads with the next canned response; closes the connection after
// each answer when close_after is set. Counts the connections it accepted.
class CannedServer {
public:
    CannedServer(std::string path, std::vector<std::string> answers, bool close_after)
        : path_(std::move(path)), answers_(std::move(answers)), close_after_(close_after) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 4) == 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~CannedServer() {
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    int connections() const { return connections_; }
    const std::vector<std::string>& requests() const { return requests_; }

private:
    void serve() {
        size_t next = 0;
        while (next < answers_.size()) {
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            connections_++;
            while (next < answers_.size()) {
                std::string request;
                char buf[4096];
                while (request.find("\r\n\r\n") == std::string::npos) {
                    ssize_t n = ::read(c, buf, sizeof buf);
                    if (n <= 0) break;
                    request.append(buf, static_cast<size_t>(n));
                }
                if (request.empty()) break;
                requests_.push_back(request.substr(0, request.find("\r\n")));
                const std::string& answer = answers_[next++];
                (void)!::write(c, answer.data(), answer.size());
                if (close_after_) break;
            }
            ::close(c);
        }
    }

    std::string path_;
    std::vector<std::string> answers_;
    bool close_after_;
    int fd_ = -1;
    std::atomic<int> connections_{0};
    std::vector<std::string> requests_;
    std::thread thread_;
};

std::string answer(int status, const json& body, const std::string& extra_headers = "") {
    std::string text = body.dump();
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" + extra_headers +
           "Content-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
}

json sync(const json& metadata) {
    return {{"type", "sync"}, {"status", "Success"}, {"status_code", 200}, {"operation", ""},
            {"error_code", 0}, {"error", ""}, {"metadata", metadata}};
}

json failure(int code, const std::string& message) {
    return {{"type", "error"}, {"status", ""}, {"status_code", 0}, {"operation", ""},
            {"error_code", code}, {"error", message}, {"metadata", nullptr}};
}

Error error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error");
    return Error(ErrorCode::Internal, "unreachable");
}

}  // namespace

TEST_CASE("rest transport: envelopes, error codes, one kept-alive connection") {
    TempDir dir("rest-transport");
    std::string socket = (dir.path() / "s").string();
    json op{{"id", "abc"}, {"status_code", 103}};
    CannedServer server(socket,
                        {answer(200, sync({{"auth", "trusted"}}), "ETag: \"e1\"\r\n"),
                         answer(202, {{"type", "async"}, {"operation", "/1.0/operations/abc"}, {"metadata", op}}),
                         answer(404, failure(404, "Instance not found")),
                         answer(409, failure(409, "Instance \"c1\" already exists")),
                         answer(409, failure(409, "instance is busy")),
                         answer(412, failure(412, "ETag doesn't match")),
                         answer(501, failure(501, "nope")),
                         answer(500, failure(500, "boom"))},
                        false);
    li::RestTransport rest({"unix://" + socket});
    auto r = rest.get("/1.0");
    CHECK(r.metadata["auth"] == "trusted");
    CHECK(r.etag == "e1");
    json body{{"name", "c1"}};
    r = rest.request("POST", li::with_project("/1.0/instances", "p 1"), &body);
    CHECK(r.type == "async");
    CHECK(r.operation == "/1.0/operations/abc");
    auto e = error_of([&] { rest.get("/1.0/instances/x"); });
    CHECK(e.code() == ErrorCode::NotFound);
    CHECK(std::string(e.what()) == "Instance not found");
    CHECK(error_of([&] { rest.get("/1"); }).code() == ErrorCode::AlreadyExists);
    CHECK(error_of([&] { rest.get("/2"); }).code() == ErrorCode::Conflict);
    e = error_of([&] { rest.get("/3"); });
    CHECK(e.code() == ErrorCode::Conflict);
    CHECK(e.key() == "etag");
    CHECK(error_of([&] { rest.get("/4"); }).code() == ErrorCode::NotSupported);
    CHECK(error_of([&] { rest.get("/5"); }).code() == ErrorCode::Backend);
    CHECK(server.connections() == 1);  // errors keep the connection
    CHECK(server.requests()[1] == "POST /1.0/instances?project=p%201 HTTP/1.1");
}

TEST_CASE("rest transport: a connection the server closed is reopened; oversized answers refused") {
    TempDir dir("rest-transport");
    std::string socket = (dir.path() / "s").string();
    {
        CannedServer server(socket, {answer(200, sync(1)), answer(200, sync(2))}, true);
        li::RestTransport rest({"unix://" + socket});
        CHECK(rest.get("/a").metadata == 1);
        CHECK(rest.get("/b").metadata == 2);
        CHECK(server.connections() == 2);
    }
    ::unlink(socket.c_str());
    CannedServer big(socket, {"HTTP/1.1 200 OK\r\nContent-Length: 67108865\r\n\r\n{"}, false);
    li::RestTransport rest({"unix://" + socket});
    auto e = error_of([&] { rest.get("/big"); });
    CHECK(e.code() == ErrorCode::Backend);
    INFO(std::string(e.what()));
    CHECK(std::string(e.what()).find("64 MiB") != std::string::npos);
}

TEST_CASE("rest transport: URLs, and nothing to connect to") {
    auto ep = li::parse_rest_url("https://[::1]:9443/");
    CHECK(ep.host == "::1");
    CHECK(ep.port == "9443");
    CHECK(li::parse_rest_url("https://host").port == "8443");
    CHECK(li::parse_rest_url("unix:///run/x.socket").socket_path == "/run/x.socket");
    for (const char* bad : {"http://x", "unix://relative", "https://:1", "https://h:port"})
        CHECK(error_of([&] { li::parse_rest_url(bad); }).key() == "url");
    li::RestTransport rest({"unix:///nonexistent/unix.socket"});
    auto e = error_of([&] { rest.get("/1.0"); });
    CHECK(e.code() == ErrorCode::Backend);
    CHECK(std::string(e.what()).find("unix:///nonexistent/unix.socket") != std::string::npos);
}

TEST_CASE("trust tokens decode or are refused naming the token") {
    json doc{{"client_name", "ci"}, {"fingerprint", std::string(64, 'a')}, {"addresses", {"127.0.0.1:8443"}},
             {"secret", "s3cret"}, {"expires_at", "0001-01-01T00:00:00Z"}};
    auto token = li::rest::decode_trust_token(li::tls::base64_encode(doc.dump()));
    CHECK(token.client_name == "ci");
    CHECK(token.addresses == std::vector<std::string>{"127.0.0.1:8443"});
    CHECK(token.secret == "s3cret");
    for (const std::string& bad : {std::string("not base64!"), li::tls::base64_encode("[1]"),
                                   li::tls::base64_encode(json{{"fingerprint", std::string(64, 'a')}}.dump()),
                                   li::tls::base64_encode(json{{"secret", "x"}, {"fingerprint", "zz"}}.dump())}) {
        auto e = error_of([&] { li::rest::decode_trust_token(bad); });
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "token");
    }
}
