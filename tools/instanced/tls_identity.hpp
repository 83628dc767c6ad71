#pragma once
// The daemon's TLS identity and certificate helpers live in the library (client/tls_identity.hpp),
// which its REST client shares; the daemon keeps calling them by their daemon:: names.

#include "client/tls_identity.hpp"

namespace li::daemon {
using namespace li::tls;
}  // namespace li::daemon
