"""Loopback socket helpers shared by the Python and CLI test suites (proxy devices)."""

import socket
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exchange(port: int, data: bytes) -> bytes:
    """Sends data through the port (retrying while the server comes up) and reads to the end."""
    deadline = time.monotonic() + 5
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                out = b""
                while chunk := s.recv(4096):
                    out += chunk
                if out or time.monotonic() > deadline:
                    return out
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)
