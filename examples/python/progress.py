#!/usr/bin/env python3
"""Operations and events: build the busybox image and create a container with progress bars,
print the lifecycle events of the container's life from a callback, run a stop in the
background and wait for it.

Usage: progress.py [STATE_DIR]   (default: a temporary directory, removed afterwards)

The progress callbacks get strings such as "Unpack: 42%" with a ``percent`` attribute; a tqdm
bar works the same way: ``progress=lambda p: bar.update(p.percent - bar.n)``.
"""

import os
import shutil
import sys
import tempfile
import threading
import uuid

import libinstance


class TextBar:
    """A one-line progress bar on stderr, redrawn in place."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.lock = threading.Lock()  # called from a library thread

    def __call__(self, update: libinstance.Progress) -> None:
        pct = update.percent or 0
        with self.lock:
            filled = pct * 30 // 100
            sys.stderr.write(f"\r{self.title:<10} [{'#' * filled}{'.' * (30 - filled)}] {update}")
            if pct >= 100:
                sys.stderr.write("\n")
            sys.stderr.flush()


def main() -> int:
    if len(sys.argv) > 1:
        state_dir, temporary = sys.argv[1], False
    else:
        # /tmp and 0711: the container's unprivileged root must be able to reach its rootfs.
        state_dir, temporary = tempfile.mkdtemp(prefix="li-example-", dir="/tmp"), True
        os.chmod(state_dir, 0o711)
    name = "progress-" + uuid.uuid4().hex[:6]
    actions = []
    deleted = threading.Event()

    def on_lifecycle(event: dict) -> None:
        meta = event["metadata"]
        if meta["source"] == f"/1.0/instances/{name}":
            print(f"event: {meta['action']} at {event['timestamp']}")
            actions.append(meta["action"])
            if meta["action"] == "instance-deleted":
                deleted.set()

    try:
        with libinstance.Client(state_dir) as client:
            with client.events.subscribe(on_lifecycle, types=["lifecycle"]):
                if not client.images.exists("busybox"):
                    client.images.build("busybox", alias="busybox", progress=TextBar("build"))
                instance = client.instances.create(
                    {"name": name, "source": {"type": "image", "alias": "busybox"}},
                    progress=TextBar("create"))
                instance.start()
                op = instance.stop(timeout=10, wait=False)
                print(f"operation {op.id}: {op.description} ({op.status})")
                op.wait()
                print(f"operation {op.id}: {op.description} ({op.status})")
                instance.delete()
                deleted.wait(30)
    except libinstance.Error as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        if temporary:
            shutil.rmtree(state_dir, ignore_errors=True)
    expected = ["instance-created", "instance-started", "instance-stopped", "instance-deleted"]
    if actions != expected:
        print(f"unexpected lifecycle events: {actions}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
