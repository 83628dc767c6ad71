"""Virtual machines served by instanced to Debian's real `lxc` client and to pylxd: one VM booted
for real (TCG where KVM is unusable) from the debian-vm image, which `inst` builds into the
daemon's state before it starts (cached in $LIBINSTANCE_CACHE_DIR)."""
import json
import time

import pytest

from conftest import daemon_with_images, pylxd


@pytest.fixture(scope="module")
def vmd():
    yield from daemon_with_images(["busybox", "debian-vm"])


def test_lxc_launches_a_vm_runs_commands_moves_files_stops_and_deletes(vmd, tmp_path):
    state, lxc, _ = vmd
    server = json.loads(lxc.ok("query", "/1.0"))
    assert "virtual-machines" in server["api_extensions"]
    assert server["environment"]["driver"] == "lxc | qemu"

    started = time.monotonic()
    lxc.ok("launch", "debian-vm", "v1", "--vm", "-c", "limits.memory=256MiB", timeout=300)
    rows = json.loads(lxc.ok("list", "--format", "json"))
    v1 = next(r for r in rows if r["name"] == "v1")
    assert v1["type"] == "virtual-machine" and v1["status"] == "Running"
    assert "VIRTUAL-MACHINE" in lxc.ok("list", "v1", "-c", "nt", "--format", "csv")

    # The first command waits for the guest to boot and its agent to answer.
    out = lxc.ok("exec", "v1", "--", "uname", "-r", timeout=180)
    print(f"launch to exec-ready through lxc: {time.monotonic() - started:.1f} s")
    assert out.strip().endswith("-amd64")
    assert lxc.run("exec", "v1", "--", "sh", "-c", "exit 3").returncode == 3

    src = tmp_path / "in.txt"
    src.write_text("hello vm from lxc\n")
    lxc.ok("file", "push", "--mode", "0640", str(src), "v1/root/in.txt")
    assert lxc.ok("exec", "v1", "--", "stat", "-c", "%a", "/root/in.txt") == "640\n"
    lxc.ok("file", "pull", "v1/root/in.txt", str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_text() == "hello vm from lxc\n"

    # pylxd 2.2.10 knows only /1.0/containers: the raw API reads the VM's state.
    seen = json.loads(pylxd(state, (
        "import json\n"
        "inst = client.api.instances['v1'].get().json()['metadata']\n"
        "st = client.api.instances['v1'].state.get().json()['metadata']\n"
        "print(json.dumps({'type': inst['type'], 'status': st['status'], 'accelerator': st.get('accelerator'),\n"
        "                  'memory': st['memory']['usage']}))\n")))
    assert seen["type"] == "virtual-machine" and seen["status"] == "Running"
    assert seen["accelerator"] in ("tcg", "kvm") and seen["memory"] > 0

    lxc.ok("stop", "v1", "--timeout", "60", timeout=120)  # ACPI shutdown: the guest powers off on its own
    assert json.loads(lxc.ok("query", "/1.0/instances/v1/state"))["status"] == "Stopped"
    lxc.ok("delete", "v1")
    assert "v1" not in lxc.ok("list", "--format", "csv", "-c", "n").split()


def test_a_container_image_as_a_vm_source_is_refused(vmd):
    _, lxc, _ = vmd
    # lxc itself checks the image's type; the daemon must refuse the raw request too.
    r = lxc.run("launch", "busybox", "v-bad", "--vm", "-c", "limits.memory=256MiB")
    assert r.returncode != 0 and "type container" in r.stderr, r.stderr
    post = {"name": "v-bad", "type": "virtual-machine", "config": {"limits.memory": "256MiB"},
            "source": {"type": "image", "alias": "busybox"}}
    r = lxc.run("query", "-X", "POST", "--wait", "-d", json.dumps(post), "/1.0/instances")
    assert r.returncode != 0 and "source: image busybox is a container image" in r.stderr, r.stderr
    assert "v-bad" not in lxc.ok("list", "--format", "csv", "-c", "n").split()
