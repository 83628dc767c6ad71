"""`inst exec` interactive mode (lxc 5.0's rules): on a terminal of the instance when stdin and
stdout are terminals or with -t / --mode interactive; -T / --mode non-interactive keep the pipes.
The local terminal is raw while the command runs and comes back as it was, even after a signal."""

import fcntl
import os
import pty
import signal
import struct
import subprocess
import termios
import time

from conftest import assert_error


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Session:
    """`inst exec c1 -- <argv>` whose stdin, stdout and stderr are a new pty of rows x cols."""

    def __init__(self, inst, argv, rows=33, cols=101, extra=()):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            set_size(0, rows, cols)
            os.execv(inst.binary, [inst.binary, "--state-dir", inst.state_dir, "exec", *extra, "c1", "--", *argv])
        self.out = b""

    def read_until(self, marker, timeout=30):
        deadline = time.monotonic() + timeout
        while marker not in self.out and time.monotonic() < deadline:
            try:
                self.out += os.read(self.fd, 4096)
            except OSError:
                break
        return marker in self.out

    def lflag(self):
        return termios.tcgetattr(self.fd)[3]

    def wait(self):
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)

    def close(self):
        os.close(self.fd)


def test_shell_on_a_terminal_of_the_instance(inst, c1):
    s = Session(inst, ["sh"])
    try:
        os.write(s.fd, b"tty; stty size; echo done-$((6*7))\n")
        assert s.read_until(b"done-42"), s.out
        assert b"/dev/pts/" in s.out, s.out          # the instance's own devpts, not a pipe
        assert b"33 101" in s.out, s.out             # sized like the local terminal
        # The local terminal is raw while the command runs: the shell inside echoes, not us.
        assert not s.lflag() & (termios.ICANON | termios.ECHO)

        # A resize of the local terminal (SIGWINCH) reaches the command's terminal.
        set_size(s.fd, 20, 70)
        time.sleep(0.5)
        os.write(s.fd, b"stty size; echo resized-$((1+1))\n")
        assert s.read_until(b"resized-2"), s.out
        assert b"20 70" in s.out.split(b"resized-2")[0].rsplit(b"stty size", 1)[1], s.out

        # ^C is a key for the instance's terminal: it interrupts the foreground job, not inst.
        os.write(s.fd, b"sleep 30; echo not-interrupted\n")
        time.sleep(1)
        os.write(s.fd, b"\x03")
        os.write(s.fd, b"echo alive-$((2*4))\n")
        assert s.read_until(b"alive-8", timeout=10), s.out
        assert b"\nnot-interrupted" not in s.out  # only the echo of the typed line

        os.write(s.fd, b"exit 3\n")
        assert s.wait() == 3                         # the command's status is inst's
        assert s.lflag() & termios.ICANON and s.lflag() & termios.ECHO  # restored
    finally:
        s.close()


def test_signal_is_forwarded_and_the_terminal_restored(inst, c1):
    s = Session(inst, ["sh", "-c", "echo ready; sleep 60"])
    try:
        assert s.read_until(b"ready"), s.out
        assert not s.lflag() & termios.ICANON
        os.kill(s.pid, signal.SIGTERM)               # forwarded to the command, which dies of it
        assert s.wait() == 128 + signal.SIGTERM
        assert s.lflag() & termios.ICANON and s.lflag() & termios.ECHO
    finally:
        s.close()
    # Nothing was left running inside.
    r = inst.ok("exec", "c1", "--", "ps")
    assert "sleep 60" not in r.stdout


def test_forced_modes_with_pipes(inst, c1):
    # -t / --mode interactive: a terminal even though stdin and stdout are pipes.
    for flag in (["-t"], ["--mode", "interactive"], ["--force-interactive"]):
        r = inst.run("exec", *flag, "c1", "--", "sh", "-c", "tty; stty size; exit 5", input="")
        assert r.returncode == 5, r
        assert "/dev/pts/" in r.stdout, r
    # Piped input reaches a forced terminal (echoed by it, as keys would be).
    r = inst.run("exec", "-t", "c1", "--", "sh", "-c", "read line; echo got-$line", input="abc\n")
    assert r.returncode == 0 and "got-abc" in r.stdout, r
    # Auto with pipes, -T and --mode non-interactive: plain pipes, no terminal.
    for flag in ([], ["-T"], ["--mode", "non-interactive"]):
        r = inst.run("exec", *flag, "c1", "--", "tty")
        assert r.returncode == 1 and "not a tty" in r.stdout, r


def test_bad_mode_flags(inst, c1):
    assert_error(inst.run("exec", "-t", "-T", "c1", "--", "true"), "-t and -T")
    assert_error(inst.run("exec", "-t", "--mode", "interactive", "c1", "--", "true"), "--mode")
    assert_error(inst.run("exec", "--mode", "sometimes", "c1", "--", "true"), "sometimes")
    # A missing command on a terminal fails like without one, and leaves no terminal behind.
    assert_error(inst.run("exec", "-t", "c1", "--", "no-such-command"), "no-such-command")


def test_non_interactive_exec_forwards_signals(inst, c1):
    """As lxc: without a terminal too, inst's SIGTERM (and SIGUSR1...) reach the command."""
    script = 'trap "echo got-usr1" USR1; trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
    p = subprocess.Popen([inst.binary, "--state-dir", inst.state_dir, "exec", "c1", "--", "sh", "-c", script],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline() == "ready\n"
        p.send_signal(signal.SIGUSR1)
        time.sleep(1)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
    finally:
        p.kill()
    assert (p.returncode, out) == (7, "got-usr1\ngot-term\n"), err
