"""Publishing instances as images (client.images.create_from_instance, instance.publish) and the
debian builder's options."""

from __future__ import annotations

from typing import Callable, List

import pytest

import libinstance


def test_publish_stopped_instance(client: libinstance.Client,
                                  make_instance: Callable[..., libinstance.Instance]) -> None:
    src = make_instance("pub")
    src.execute(["sh", "-c", "echo from-python > /root/marker"])
    before = len(client.images.all())
    with pytest.raises(libinstance.Conflict) as exc:
        client.images.create_from_instance(src.name)
    assert src.name in str(exc.value)
    assert len(client.images.all()) == before
    src.stop(force=True)

    seen: List[str] = []
    image = client.images.create_from_instance(src.name, alias=f"{src.name}-img",
                                               properties={"description": "py"}, compression="zstd",
                                               progress=lambda p: seen.append(str(p)))
    assert isinstance(image, libinstance.Image)
    assert f"{src.name}-img" in image.alias_names
    assert image.properties["description"] == "py"
    assert image.properties["os"] == "busybox"
    assert any(s.startswith("Image pack") for s in seen), seen

    copy = make_instance("pubcopy", source={"type": "image", "alias": f"{src.name}-img"})
    assert copy.execute(["cat", "/root/marker"]).stdout == "from-python\n"

    # pylxd's form: instance.publish(wait=False) gives the operation.
    op = src.publish(wait=False)
    assert isinstance(op, libinstance.Operation)
    op.wait()
    fp = op.metadata["fingerprint"]
    assert client.images.get(fp).fingerprint == fp
    published = src.publish(wait=True, public=True, properties={"n": "2"})
    assert isinstance(published, libinstance.Image) and published.public
    for img in (client.images.get(fp), published, image):
        img.delete()


def test_publish_bad_input(client: libinstance.Client,
                           make_instance: Callable[..., libinstance.Instance]) -> None:
    src = make_instance("pubbad", start=False)
    before = len(client.images.all())
    with pytest.raises(libinstance.InvalidArgument) as exc:
        client.images.create_from_instance(src.name, compression="lzop")
    assert "lzop" in str(exc.value)
    with pytest.raises(libinstance.NotFound):
        client.images.create_from_instance("no-such-instance")
    with pytest.raises(libinstance.NotFound) as nf:
        client.images.create_from_instance(f"{src.name}/snap0")
    assert "snap0" in str(nf.value)
    assert len(client.images.all()) == before


def test_publish_snapshot_of_running_instance(client: libinstance.Client,
                                              make_instance: Callable[..., libinstance.Instance]) -> None:
    src = make_instance("pubsnap")
    src.execute(["sh", "-c", "echo at-snapshot > /root/marker"])
    snap = src.snapshots.create("s0")
    src.execute(["sh", "-c", "echo later > /root/marker"])

    op = snap.publish(wait=False, alias=f"{src.name}-snapimg")
    assert isinstance(op, libinstance.Operation)
    op.wait()
    image = client.images.get_by_alias(f"{src.name}-snapimg")
    assert image.fingerprint == op.metadata["fingerprint"]
    src.sync()
    assert src.status == "Running"
    copy = make_instance("pubsnapcopy", source={"type": "image", "alias": f"{src.name}-snapimg"})
    assert copy.execute(["cat", "/root/marker"]).stdout == "at-snapshot\n"
    image.delete()


def test_build_debian_options_checked(client: libinstance.Client) -> None:
    with pytest.raises(libinstance.InvalidArgument) as exc:
        client.images.build("debian", variant="huge")
    assert exc.value.key == "variant" and "huge" in str(exc.value)
    with pytest.raises(libinstance.InvalidArgument) as exc:
        client.images.build("debian", packages=["ok", "bad;pkg"])
    assert "bad;pkg" in str(exc.value)
    with pytest.raises(TypeError):
        client.images.build("debian", flavour="x")
