#!/usr/bin/env python3
"""A simplestreams image server for tests, on 127.0.0.1 over TLS with a self-signed certificate.

No image server is reachable from the test machines, so the tests serve their own tree, made
from images libinstance builds (busybox):

  simplestreams_server.py add --root DIR --image unified.tar.gz --product NAME --aliases a,b \
      --version 20260101_00:00 --layout unified|split
      Adds a version of a product. The image's metadata.yaml gets properties.serial = version, so
      each version has its own fingerprint. `unified` publishes one lxd_combined.tar.gz item;
      `split` publishes lxd.tar.xz (metadata) + root.tar.xz (rootfs) with combined_*_sha256.
  simplestreams_server.py corrupt --root DIR --product NAME
      Flips one byte of the newest version's rootfs (or unified) file; the index keeps the old sha256.
  simplestreams_server.py serve --root DIR
      Makes a certificate (openssl req) in DIR/../tls, serves DIR and prints one JSON line
      {"url", "port", "certificate" (PEM text), "certificate_path"} once listening. Stops when
      stdin closes or on SIGTERM. A file DIR/.throttle holding a number limits downloads to that
      many bytes per second (for cancellation tests).

Also importable: add_image(), corrupt(), make_certificate(), Server.
"""
import argparse
import hashlib
import http.server
import io
import json
import os
import ssl
import subprocess
import sys
import tarfile
import threading
import time

import yaml

ARCHES = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "armhf", "i686": "i386", "ppc64le": "ppc64el",
          "s390x": "s390x", "riscv64": "riscv64"}


def host_ss_arch():
    return ARCHES.get(os.uname().machine, os.uname().machine)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _copy_member(src, dst, member, name, linkname=None):
    m = tarfile.TarInfo(name)
    for attr in ("mode", "uid", "gid", "uname", "gname", "mtime", "type", "size", "devmajor", "devminor", "pax_headers"):
        setattr(m, attr, getattr(member, attr))
    m.linkname = member.linkname if linkname is None else linkname
    dst.addfile(m, src.extractfile(member) if member.isreg() else None)


def _strip_rootfs(name):
    if name in ("rootfs", "rootfs/", "./rootfs", "./rootfs/"):
        return "."
    for prefix in ("./rootfs/", "rootfs/"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return None


def repack(unified, out_dir, version, layout):
    """Writes the image of `version` into out_dir; returns {ftype: path}."""
    os.makedirs(out_dir, exist_ok=True)
    with tarfile.open(unified, "r:*") as src:
        members = src.getmembers()
        md_member = next(m for m in members if m.name.lstrip("./") == "metadata.yaml")
        md = yaml.safe_load(src.extractfile(md_member).read()) or {}
        md.setdefault("properties", {})
        md["properties"]["serial"] = version
        md["properties"]["description"] = f"test image {version}"
        md_bytes = yaml.safe_dump(md).encode()

        def add_metadata(dst):
            info = tarfile.TarInfo("metadata.yaml")
            info.size = len(md_bytes)
            info.mode = 0o644
            info.mtime = int(time.time())
            dst.addfile(info, io.BytesIO(md_bytes))

        if layout == "unified":
            path = os.path.join(out_dir, "lxd_combined.tar.gz")
            with tarfile.open(path, "w:gz") as dst:
                add_metadata(dst)
                for m in members:
                    if m is not md_member:
                        _copy_member(src, dst, m, m.name)
            return {"lxd_combined.tar.gz": path}

        meta_path = os.path.join(out_dir, "lxd.tar.xz")
        root_path = os.path.join(out_dir, "root.tar.xz")
        with tarfile.open(meta_path, "w:xz") as meta, tarfile.open(root_path, "w:xz") as root:
            add_metadata(meta)
            for m in members:
                if m is md_member:
                    continue
                stripped = _strip_rootfs(m.name)
                if stripped is None:
                    _copy_member(src, meta, m, m.name)
                else:
                    link = _strip_rootfs(m.linkname) if m.islnk() else None
                    _copy_member(src, root, m, stripped, link)
        return {"lxd.tar.xz": meta_path, "root.tar.xz": root_path}


def _catalog_path(root):
    return os.path.join(root, "streams", "v1", "images.json")


def _write_index(root, catalog):
    os.makedirs(os.path.join(root, "streams", "v1"), exist_ok=True)
    with open(_catalog_path(root) + ".tmp", "w") as f:
        json.dump(catalog, f, indent=1)
    os.replace(_catalog_path(root) + ".tmp", _catalog_path(root))
    index = {"format": "index:1.0", "index": {"images": {
        "datatype": "image-downloads", "path": "streams/v1/images.json", "format": "products:1.0",
        "products": sorted(catalog["products"].keys())}}}
    with open(os.path.join(root, "streams", "v1", "index.json"), "w") as f:
        json.dump(index, f, indent=1)


def _load_catalog(root):
    try:
        with open(_catalog_path(root)) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"format": "products:1.0", "datatype": "image-downloads", "content_id": "images", "products": {}}


def add_image(root, image, product, aliases, version, layout, os_name="Busybox", release="test", variant="default"):
    """Adds one version of a product; returns its fingerprint."""
    arch = host_ss_arch()
    rel_dir = os.path.join("images", product, version.replace(":", "-"))
    files = repack(image, os.path.join(root, rel_dir), version, layout)
    items = {}
    for ftype, path in files.items():
        items[ftype] = {"ftype": ftype, "path": os.path.relpath(path, root), "sha256": sha256_file(path),
                        "size": os.path.getsize(path)}
    if layout == "unified":
        fingerprint = items["lxd_combined.tar.gz"]["sha256"]
    else:
        h = hashlib.sha256()
        for ftype in ("lxd.tar.xz", "root.tar.xz"):
            with open(files[ftype], "rb") as f:
                h.update(f.read())
        fingerprint = h.hexdigest()
        items["lxd.tar.xz"]["combined_sha256"] = fingerprint
        items["lxd.tar.xz"]["combined_rootxz_sha256"] = fingerprint
    catalog = _load_catalog(root)
    p = catalog["products"].setdefault(f"{product}:{arch}", {
        "aliases": aliases, "arch": arch, "os": os_name, "release": release, "release_title": release,
        "variant": variant, "versions": {}})
    p["aliases"] = aliases
    p["versions"][version] = {"items": items}
    _write_index(root, catalog)
    return fingerprint


def corrupt(root, product):
    catalog = _load_catalog(root)
    p = catalog["products"][f"{product}:{host_ss_arch()}"]
    items = p["versions"][max(p["versions"])]["items"]
    item = items.get("root.tar.xz") or items["lxd_combined.tar.gz"]
    path = os.path.join(root, item["path"])
    with open(path, "r+b") as f:
        f.seek(item["size"] // 2)
        b = f.read(1)
        f.seek(item["size"] // 2)
        f.write(bytes([b[0] ^ 0xFF]))


def make_certificate(directory):
    os.makedirs(directory, exist_ok=True)
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        throttle = 0
        try:
            with open(os.path.join(self.directory, ".throttle")) as f:
                throttle = int(f.read().strip() or 0)
        except (FileNotFoundError, ValueError):
            pass
        if not throttle:
            return super().copyfile(source, outputfile)
        chunk = max(1, throttle // 10)
        while True:
            data = source.read(chunk)
            if not data:
                return
            try:
                outputfile.write(data)
                outputfile.flush()
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                return
            time.sleep(0.1)


class Server:
    """Serves root over HTTPS on 127.0.0.1 (an ephemeral port) in a thread."""

    def __init__(self, root, tls_dir=None):
        self.root = root
        tls_dir = tls_dir or os.path.join(os.path.dirname(os.path.abspath(root)), "tls")
        self.certificate_path, key = make_certificate(tls_dir)
        with open(self.certificate_path) as f:
            self.certificate = f.read()
        handler = lambda *a, **kw: _Handler(*a, directory=root, **kw)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.certificate_path, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("add")
    a.add_argument("--root", required=True)
    a.add_argument("--image", required=True)
    a.add_argument("--product", required=True)
    a.add_argument("--aliases", default="")
    a.add_argument("--version", required=True)
    a.add_argument("--layout", choices=["unified", "split"], default="unified")
    c = sub.add_parser("corrupt")
    c.add_argument("--root", required=True)
    c.add_argument("--product", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--root", required=True)
    args = ap.parse_args()
    if args.cmd == "add":
        print(add_image(args.root, args.image, args.product, args.aliases, args.version, args.layout))
    elif args.cmd == "corrupt":
        corrupt(args.root, args.product)
    else:
        os.makedirs(args.root, exist_ok=True)
        with Server(args.root) as srv:
            print(json.dumps({"url": srv.url, "port": srv.port, "certificate": srv.certificate,
                              "certificate_path": srv.certificate_path}), flush=True)
            try:
                sys.stdin.read()  # until the test closes our stdin (or kills us)
            except KeyboardInterrupt:
                pass


if __name__ == "__main__":
    main()
