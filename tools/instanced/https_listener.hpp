#pragma once
// The HTTPS side of the API, on core.https_address: TLS with the daemon's own certificate, a
// client certificate asked for but not verified against any CA (LXD's clients present
// self-signed ones); who the client is comes from the trust store, per connection.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <optional>
#include <string>

#include "http_session.hpp"
#include "tls_identity.hpp"
#include "trust_store.hpp"

namespace li::daemon {

class HttpsListener {
public:
    HttpsListener(boost::asio::io_context& io, const SessionContext& context, TrustStore& trust, const ServerIdentity& server);
    /// Serves on address ([HOST]:PORT, HOST alone: port 8443), replacing what was served before;
    /// "" stops serving. InvalidArgument (key "core.https_address") when it cannot listen there.
    void listen(const std::string& address);
    /// The addresses clients can reach it on (for tokens and GET /1.0), empty when not listening.
    std::vector<std::string> addresses() const;

private:
    void accept();
    boost::asio::ssl::context& tls_context();
    boost::asio::io_context& io_;
    const SessionContext& context_;
    TrustStore& trust_;
    const ServerIdentity& server_;
    // Made when HTTPS is first enabled: OpenSSL's initialisation (its configuration, providers,
    // ~2 MiB resident) is not paid by a daemon that serves only its unix socket.
    std::optional<boost::asio::ssl::context> ssl_;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
    std::string address_;
};

}  // namespace li::daemon
