#pragma once
// Who may call what: an untrusted HTTPS client only sees `/`, the minimal `GET /1.0` and may
// present a token to `POST /1.0/certificates`; a restricted certificate reaches only the projects
// it names and nothing server-wide that changes state. Everything else is 403, as LXD answers.

#include <optional>

#include "router.hpp"

namespace li::daemon {

std::optional<Response> access_refusal(const Call& call);

}  // namespace li::daemon
