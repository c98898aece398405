#!/usr/bin/env python3
"""Checks the declared minimum Rust version against the dependency tree.

The published crates (cachekit, cachekit-core, cachekit-macros) declare the
workspace's `rust-version`; with every feature on, no crate they depend on
(normal and build dependencies, the ones a user compiles) may declare a
newer one. Run from the repository root; needs only `cargo metadata`.
"""
import json
import subprocess
import sys

PUBLISHED = {"cachekit", "cachekit-core", "cachekit-macros"}


def version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
roots = [p["id"] for p in meta["packages"] if p["name"] in PUBLISHED and p["source"] is None]
declared = {packages[r]["rust_version"] for r in roots}
if len(declared) != 1 or None in declared:
    sys.exit(f"the published crates declare rust-version {sorted(map(str, declared))}: one is expected")
msrv = declared.pop()

seen, stack, newer = set(), list(roots), []
while stack:
    node = stack.pop()
    if node in seen:
        continue
    seen.add(node)
    for dep in nodes[node]["deps"]:
        kinds = {k["kind"] for k in dep["dep_kinds"]}
        if kinds & {None, "build"}:
            stack.append(dep["pkg"])
for node in seen:
    package = packages[node]
    declared = package.get("rust_version")
    if declared and version(declared) > version(msrv):
        newer.append(f"{package['name']} {package['version']} needs Rust {declared}")
if newer:
    sys.exit(f"rust-version {msrv} is below what dependencies declare:\n  " + "\n  ".join(sorted(newer)))
print(f"rust-version {msrv}: {len(seen)} crates in the published crates' tree, none declares a newer one")
