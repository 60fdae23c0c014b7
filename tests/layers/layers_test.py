#!/usr/bin/env python3
"""Layers without cycles: no folder under src/ includes a file of a folder that includes it back.

Reads every #include "…" line under src/, builds the graph of folders (a file at src/'s root is a
node of its own, named by its file name), and fails naming the offending files when the graph has
a cycle. Back edges still being removed are listed in known_back_edges.txt: they are left out of
the graph, and one that no longer exists fails the test too, so that the list only shrinks.

First it checks itself on a small tree with a cycle, so that it is known to be able to fail.

Usage: layers_test.py SOURCE_DIR   (exit 0: no cycle; 1: a cycle or a stale known edge)
"""
import os
import re
import sys
import tempfile
from collections import defaultdict

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def node_of(src, path):
    """The folder of `path` (relative to src/), or the file name for a file at src/'s root."""
    parts = path.split("/")
    return parts[0] if len(parts) > 1 else parts[0]


def include_graph(src):
    """{from: {to: ["file:line -> include", …]}} between different nodes."""
    edges = defaultdict(lambda: defaultdict(list))
    for directory, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".cpp", ".hpp", ".h")):
                continue
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, src)
            here = node_of(src, rel)
            with open(path, encoding="utf-8", errors="replace") as text:
                for number, line in enumerate(text, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    target = match.group(1)
                    # An include names a path from src/ (the one include directory), or a file
                    # beside the includer.
                    beside = os.path.normpath(os.path.join(os.path.dirname(rel), target))
                    if os.path.exists(os.path.join(src, beside)) and "/" not in target:
                        target = beside
                    there = node_of(src, target)
                    if there != here:
                        edges[here][there].append(f"src/{rel}:{number} includes \"{match.group(1)}\"")
    return edges


def cycles(edges):
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    nodes = set(edges) | {n for targets in edges.values() for n in targets}
    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return sorted(found)


def read_known(path):
    known = []
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as text:
        for line in text:
            line = line.split("#", 1)[0].strip()
            if line:
                source, arrow, target = line.partition("->")
                if not arrow:
                    raise SystemExit(f"{path}: '{line}' is not 'from -> to'")
                known.append((source.strip(), target.strip()))
    return known


def check(src, known):
    """Problems found in `src` (a list of lines); empty when the layers hold."""
    edges = include_graph(src)
    problems = []
    for source, target in known:
        if target not in edges.get(source, {}):
            problems.append(f"known back edge {source} -> {target} no longer exists: "
                            "remove it from known_back_edges.txt")
        else:
            del edges[source][target]
    for component in cycles(edges):
        problems.append("cycle between folders " + ", ".join(component) + ":")
        members = set(component)
        for source in component:
            for target in sorted(edges[source]):
                if target in members:
                    wheres = edges[source][target]
                    more = f" (and {len(wheres) - 3} more)" if len(wheres) > 3 else ""
                    problems.append(f"  {source} -> {target}: " + "; ".join(wheres[:3]) + more)
    return problems


def self_test():
    """The checker finds a planted cycle and names the files, and passes once it is removed."""
    with tempfile.TemporaryDirectory() as scratch:
        src = os.path.join(scratch, "src")
        for folder, body in {"low": '#include "high/b.hpp"\n', "high": '#include "low/a.hpp"\n',
                             "leaf": "int x;\n"}.items():
            os.makedirs(os.path.join(src, folder))
            with open(os.path.join(src, folder, "a.hpp" if folder == "low" else "b.hpp"), "w") as f:
                f.write(body)
        with open(os.path.join(src, "main.cpp"), "w") as f:
            f.write('#include "high/b.hpp"\n#include "error.hpp"\n')
        with open(os.path.join(src, "error.hpp"), "w") as f:
            f.write("#pragma once\n")
        found = check(src, [])
        assert any("cycle between folders high, low" in p for p in found), found
        assert any("src/low/a.hpp:1 includes \"high/b.hpp\"" in p for p in found), found
        assert check(src, [("low", "high")]) == [], "a known back edge breaks the cycle"
        stale = check(src, [("leaf", "low")])
        assert any("leaf -> low no longer exists" in p for p in stale), stale
        os.remove(os.path.join(src, "low", "a.hpp"))
        assert check(src, []) == [], "no cycle once the back edge is gone"


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    self_test()
    src = os.path.join(sys.argv[1], "src")
    known = read_known(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "known_back_edges.txt"))
    problems = check(src, known)
    for line in problems:
        print(line)
    if problems:
        return 1
    print(f"layers: no cycle between the folders of {src}"
          + (f" (known back edges left to remove: {len(known)})" if known else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
