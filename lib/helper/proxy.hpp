#pragma once
// The "proxy" mode of libinstance-helper: the forwarder of a proxy device (see proxy.cpp).

/// argv: the arguments after "proxy". Returns the exit code of the setup process.
int do_proxy(int argc, char** argv);
