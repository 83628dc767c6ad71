"""inst console (attach on a terminal, ctrl+a q, --show-log), inst info --show-log and the
resource state in inst info / inst list."""

import json
import os
import pty
import re
import select
import subprocess
import time

from conftest import assert_error


def read_until(fd, needle, timeout=15):
    out = b""
    deadline = time.monotonic() + timeout
    while needle not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def test_console_attach_type_and_detach(inst):
    inst.ok("launch", "busybox", "cons1")
    try:
        leader, follower = pty.openpty()
        proc = subprocess.Popen([inst.binary, "--state-dir", inst.state_dir, "console", "cons1"],
                                stdin=follower, stdout=follower, stderr=subprocess.PIPE)
        os.close(follower)
        try:
            assert b"<ctrl>+a q" in read_until(leader, b"<ctrl>+a q")
            # The console's shell may still be starting (its tty echoes what it cannot run yet):
            # type the line again until the shell's own output comes back.
            out = b""
            for _ in range(3):
                os.write(leader, b"echo hello-console-$((6*7))\r")
                out += read_until(leader, b"hello-console-42", timeout=10)
                if b"hello-console-42" in out:
                    break
            assert b"hello-console-42" in out, out
            # ctrl+a ctrl+a sends one ctrl+a; ctrl+a q detaches and inst exits 0.
            os.write(leader, b"\x01q")
            assert proc.wait(timeout=15) == 0, proc.stderr.read()
        finally:
            os.close(leader)
            if proc.poll() is None:
                proc.kill()
                proc.wait()

        # The console is free again, and its output is in the log.
        log = inst.ok("console", "--show-log", "cons1").stdout
        assert "hello-console-42" in log
        inst.ok("exec", "cons1", "--", "sh", "-c", "echo via-dev-console > /dev/console")
        deadline = time.monotonic() + 10
        while "via-dev-console" not in inst.ok("console", "cons1", "--show-log").stdout:
            assert time.monotonic() < deadline, "the console log never showed the write"
            time.sleep(0.2)

        inst.ok("stop", "--force", "cons1")
        assert_error(inst.run("console", "cons1"), "cons1", "not running")
        assert "via-dev-console" in inst.ok("console", "--show-log", "cons1").stdout
        assert_error(inst.run("console", "nosuch"), "nosuch")
        assert_error(inst.run("console", "cons1", "--type", "bogus"), "bogus")
    finally:
        inst.run("delete", "--force", "cons1")


def test_info_resources_and_show_log(inst, c1):
    inst.ok("exec", "c1", "--", "ping", "-c", "2", "-W", "1", "127.0.0.1")
    text = inst.ok("info", "c1").stdout
    assert re.search(r"^  Processes: [1-9]\d*$", text, re.M)
    assert re.search(r"^  Disk usage:\n    root: [\d.]+(B|KiB|MiB|GiB)$", text, re.M)
    assert re.search(r"^  CPU usage:\n    CPU usage \(in seconds\): \d+$", text, re.M)
    assert re.search(r"^    Memory \(peak\): [\d.]+(B|KiB|MiB|GiB)$", text, re.M)
    m = re.search(r"^  Network usage:\n    lo:\n      Type: loopback\n      State: UP\n      MTU: \d+\n"
                  r"      Bytes received: [\d.]+(B|kB|MB)\n      Bytes sent: [\d.]+(B|kB|MB)\n"
                  r"      Packets received: (\d+)\n      Packets sent: \d+\n      IP addresses:\n"
                  r"        inet:  127\.0\.0\.1/8 \(local\)$", text, re.M)
    assert m, text
    assert int(m.group(3)) >= 2

    # Live counters (memory, bytes) move between the two calls, so compare
    # the stable head and the section order rather than the whole text.
    log = inst.ok("info", "--show-log", "c1").stdout
    head = text.split("\nResources:\n")[0]
    assert log.startswith(head + "\nResources:\n"), log
    assert log.index("  Network usage:\n") < log.index("\nLog:\n\n"), log
    assert "\nLog:\n\n" not in text


def test_list_state_columns(inst, c1):
    rows = json.loads(inst.ok("list", "--format", "json").stdout)
    c = next(r for r in rows if r["name"] == "c1")
    assert c["state"]["network"]["lo"]["type"] == "loopback"
    assert c["state"]["disk"]["root"]["usage"] > 0
    assert c["state"]["cpu"]["usage"] > 0
    csv = inst.ok("list", "--format", "csv", "-c", "nDmuN4").stdout
    line = next(l for l in csv.splitlines() if l.startswith("c1,"))
    name, disk, memory, cpu, processes, ipv4 = line.split(",")
    assert re.fullmatch(r"[\d.]+(B|KiB|MiB|GiB)", disk)
    assert re.fullmatch(r"[\d.]+(B|KiB|MiB|GiB)", memory)
    assert re.fullmatch(r"\d+s", cpu)
    assert int(processes) > 0
    assert ipv4 == ""  # only lo, which lxc leaves out
