#!/usr/bin/env python3
"""Launch a busybox container, run `uname -a` in it, print the output, delete it.

Usage: launch.py [STATE_DIR]   (default: a temporary directory, removed afterwards)
"""

import os
import shutil
import sys
import tempfile
import uuid

import libinstance


def main() -> int:
    if len(sys.argv) > 1:
        state_dir, temporary = sys.argv[1], False
    else:
        # /tmp and 0711: the container's unprivileged root must be able to reach its rootfs.
        state_dir, temporary = tempfile.mkdtemp(prefix="li-example-", dir="/tmp"), True
        os.chmod(state_dir, 0o711)
    try:
        with libinstance.Client(state_dir) as client:
            if not client.images.exists("busybox"):
                client.images.build("busybox", alias="busybox")

            name = "example-" + uuid.uuid4().hex[:6]
            instance = client.instances.create(
                {"name": name, "source": {"type": "image", "alias": "busybox"}}, wait=True)
            try:
                instance.start(wait=True)
                result = instance.execute(["uname", "-a"])
                print(result.stdout, end="")
                if result.exit_code != 0:
                    print(f"uname failed ({result.exit_code}): {result.stderr}", file=sys.stderr)
                    return 1
            finally:
                instance.delete(force=True)
    except libinstance.Error as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        if temporary:
            shutil.rmtree(state_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
