#pragma once
// The exec agent: a process kept inside a running container (attached once through liblxc, so it
// has the container's namespaces, cgroups, LSM label, seccomp filter and capabilities) that forks
// the commands of later execs. They inherit all of that from it, and skip liblxc's attach, whose
// cgroup migration waits for a kernel grace period on every exec (ADR 0011).
//
//   libinstance-helper exec-agent LXCPATH NAME
//     fd 3: the status pipe: "ok" once the agent runs, or "error MESSAGE"
//     fd 4: the agent's end of a SOCK_SEQPACKET socket pair
//
// Protocol on the agent socket, one request per message, with four descriptors attached: the
// command's stdin, stdout, stderr and a SOCK_STREAM "channel". The message is NUL-separated
// fields: "li-exec-1", uid, gid, terminal ("0"/"1"), cwd, the number of environment entries, the
// entries, then argv. On the channel the agent answers "pid\n" with a pidfd of the command
// attached once it runs, then "exit N\n" (N: status, or 128+signal), or only "exec-error ERRNO\n".
// The agent exits when the socket's other end is closed.

namespace li::helper {

/// args_begin..args_end: the helper's own argv strings, overwritten in the agent (see ps).
int do_exec_agent(const char* lxcpath, const char* name, char* args_begin, char* args_end);

}  // namespace li::helper
