#pragma once
// /1.0/certificates: the trust store, and LXD's certificate add tokens (`lxc config trust add`,
// then `lxc remote add NAME TOKEN`): a token is an operation of class "token" that stays Running
// until a client presents its secret (then it is used up) or it is cancelled.

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_certificate_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
