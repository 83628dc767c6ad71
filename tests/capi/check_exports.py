#!/usr/bin/env python3
"""Checks the C ABI's exports: every li_* function declared in libinstance.h is exported by the
built library, every exported symbol is listed in the version script (and versioned by one of its
nodes), and the version script lists nothing that is not declared in the header."""

import argparse
import re
import subprocess
import sys


def header_functions(path):
    text = open(path, encoding="utf-8").read()
    # Declarations look like: LI_EXPORT <type> <name>(...); the type may span '*' and 'const'.
    return set(re.findall(r"\bLI_EXPORT\b[^;(]*?\b(li_\w+)\s*\(", text))


def map_symbols(path):
    text = re.sub(r"/\*.*?\*/", "", open(path, encoding="utf-8").read(), flags=re.S)
    nodes, symbols = set(), set()
    for node, body in re.findall(r"(\w[\w.]*)\s*\{(.*?)\}\s*[\w.]*\s*;", text, flags=re.S):
        nodes.add(node)
        globals_part = body.split("local:")[0].replace("global:", "")
        for sym in globals_part.split(";"):
            sym = sym.strip()
            if sym:
                symbols.add(sym)
    return nodes, symbols


def exported_symbols(nm, library):
    out = subprocess.run([nm, "-D", "--defined-only", "--with-symbol-versions", library],
                         check=True, capture_output=True, text=True).stdout
    exported = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2]
        if kind == "A":  # the version node itself
            continue
        base, _, version = name.partition("@")
        exported[base] = (kind, version.lstrip("@"))
    return exported


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--header", required=True)
    ap.add_argument("--map", required=True)
    ap.add_argument("--library", required=True)
    args = ap.parse_args()

    declared = header_functions(args.header)
    nodes, mapped = map_symbols(args.map)
    exported = exported_symbols(args.nm, args.library)
    problems = []

    if len(declared) < 30:
        problems.append(f"only {len(declared)} functions parsed from the header; parser broken?")
    for sym in sorted(declared - set(exported)):
        problems.append(f"declared in the header but not exported: {sym}")
    for sym in sorted(set(exported) - mapped):
        problems.append(f"exported but not in the version script: {sym}")
    for sym in sorted(mapped - declared):
        problems.append(f"in the version script but not declared in the header: {sym}")
    for sym, (kind, version) in sorted(exported.items()):
        if sym in mapped and kind != "T":
            problems.append(f"{sym} is exported as '{kind}', not as a function")
        if version not in nodes:
            problems.append(f"{sym} has version '{version}', not a node of the version script")

    for p in problems:
        print("FAIL:", p)
    print(f"{len(declared)} declared, {len(mapped)} in the map ({', '.join(sorted(nodes))}), "
          f"{len(exported)} exported")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
