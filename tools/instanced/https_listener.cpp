#include "https_listener.hpp"

#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <openssl/ssl.h>

#include "libinstance/error.hpp"

namespace li::daemon {

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::pair<std::string, std::string> split_address(const std::string& address) {
    std::string host = address, port = "8443";
    size_t colon = address.rfind(':');
    bool bracketed = !address.empty() && address.front() == '[';
    if (bracketed) {
        size_t close = address.find(']');
        host = address.substr(1, close - 1);
        if (close + 1 < address.size() && address[close + 1] == ':') port = address.substr(close + 2);
    } else if (colon != std::string::npos && address.find(':') == colon) {
        host = address.substr(0, colon);
        port = address.substr(colon + 1);
    }
    return {host, port};
}

// The host's own addresses, for a wildcard listener's tokens.
std::vector<std::string> host_addresses(const std::string& port) {
    std::vector<std::string> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
        char buf[NI_MAXHOST];
        if (::getnameinfo(a->ifa_addr, sizeof(sockaddr_in), buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) == 0)
            out.push_back(fmt::format("{}:{}", buf, port));
    }
    ::freeifaddrs(list);
    return out;
}

Identity identify(TlsStream& stream, TrustStore& trust) {
    Identity id;
    id.tls = true;
    id.trusted = false;
    X509* peer = SSL_get1_peer_certificate(stream.native_handle());
    if (!peer) return id;
    unsigned char* der = nullptr;
    int n = i2d_X509(peer, &der);
    X509_free(peer);
    if (n <= 0) return id;
    id.certificate_der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(n));
    OPENSSL_free(der);
    id.fingerprint = sha256_hex(id.certificate_der);
    if (auto cert = trust.find(id.fingerprint); cert && cert->type == "client") {
        id.trusted = true;
        id.restricted = cert->restricted;
        id.projects = cert->projects;
    }
    return id;
}

}  // namespace

HttpsListener::HttpsListener(asio::io_context& io, const SessionContext& context, TrustStore& trust, const ServerIdentity& server)
    : io_(io), context_(context), trust_(trust), server_(server) {}

ssl::context& HttpsListener::tls_context() {
    if (ssl_) return *ssl_;
    ssl::context ctx(ssl::context::tls_server);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx.use_certificate_chain_file(server_.cert_file.string());
    ctx.use_private_key_file(server_.key_file.string(), ssl::context::pem);
    // Ask for the client's certificate and take any: trust is the store's decision, not a CA's.
    ctx.set_verify_mode(ssl::verify_peer);
    ctx.set_verify_callback([](bool, ssl::verify_context&) { return true; });
    ssl_.emplace(std::move(ctx));
    return *ssl_;
}

void HttpsListener::listen(const std::string& address) {
    if (acceptor_) {
        boost::system::error_code ignored;
        acceptor_->close(ignored);
        acceptor_.reset();
        address_.clear();
    }
    if (address.empty()) return;
    tls_context();  // a bad certificate fails here, before the port is taken
    auto [host, port] = split_address(address);
    tcp::resolver resolver(io_);
    boost::system::error_code ec;
    auto results = resolver.resolve(host.empty() ? "::" : host, port, tcp::resolver::passive, ec);
    if (ec || results.empty())
        throw Error::invalid("core.https_address", fmt::format("cannot resolve \"{}\": {}", address, ec.message()));
    tcp::endpoint endpoint = results.begin()->endpoint();
    tcp::acceptor acceptor(io_);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(false), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw Error::invalid("core.https_address", fmt::format("cannot listen on \"{}\": {}", address, ec.message()));
    acceptor_.emplace(std::move(acceptor));
    address_ = address;
    accept();
}

std::vector<std::string> HttpsListener::addresses() const {
    if (!acceptor_) return {};
    auto [host, port] = split_address(address_);
    if (host.empty() || host == "0.0.0.0" || host == "::") return host_addresses(std::to_string(acceptor_->local_endpoint().port()));
    return {address_};
}

void HttpsListener::accept() {
    acceptor_->async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_) return;
        if (!ec) {
            auto stream = std::make_shared<TlsStream>(std::move(socket), *ssl_);
            // A client that never finishes its handshake is dropped after 30 s.
            auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(30));
            timer->async_wait([stream](const boost::system::error_code& e) {
                if (!e) {
                    boost::system::error_code ignored;
                    stream->next_layer().close(ignored);
                }
            });
            stream->async_handshake(ssl::stream_base::server, [this, stream, timer](const boost::system::error_code& hs) {
                timer->cancel();
                if (hs) return;
                Identity id = identify(*stream, trust_);
                serve_connection(std::move(*stream), context_, std::move(id));
            });
        }
        accept();
    });
}

}  // namespace li::daemon
