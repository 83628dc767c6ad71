"""Every symbol the C library exports is bound by the extension, and the package's public
surface is what its stubs and docs promise."""

from __future__ import annotations

import os
import re
from pathlib import Path

import libinstance

HERE = Path(__file__).resolve().parent
SOURCE_ROOT = Path(os.environ.get("LIBINSTANCE_TEST_SOURCE_ROOT", HERE.parents[2]))


def exported_symbols() -> set:
    text = (SOURCE_ROOT / "capi" / "libinstance.map").read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return set(re.findall(r"^\s*(li_\w+);", text, flags=re.M))


def test_every_exported_symbol_is_bound() -> None:
    symbols = exported_symbols()
    assert len(symbols) > 30
    source = "".join(p.read_text() for p in (HERE.parent / "src").glob("*.[ch]pp"))
    missing = sorted(s for s in symbols if not re.search(rf"\b{s}\b", source))
    assert missing == [], f"exported but not bound in bindings/python/src: {missing}"


def test_stub_matches_the_extension() -> None:
    from libinstance._native import native

    stub = (HERE.parent / "libinstance" / "_libinstance.pyi").read_text()
    for cls_name in ("Manager", "Instance", "Operation", "Subscription", "Console"):
        cls = getattr(native, cls_name)
        public = {n for n in dir(cls) if not n.startswith("_")}
        block = stub.split(f"class {cls_name}:", 1)[1].split("\nclass ", 1)[0]
        stubbed = set(re.findall(r"def (\w+)\(", block)) - {"__init__"}
        assert public == stubbed, cls_name


def test_public_names() -> None:
    for name in libinstance.__all__:
        assert hasattr(libinstance, name), name
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", libinstance.__version__)
