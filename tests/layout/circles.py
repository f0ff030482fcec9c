#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-License-Identifier: Apache-2.0
"""circles.py -- no two source files may depend on each other, however far
round.

A file depends on another when it includes it (a header is a file of
its own: including bar.h for its types is no dependency on bar.c) or
calls a function defined there. The graph is read from the sources
themselves, the way a reader would: quoted #include lines resolved as
the build resolves them (the file's folder, then lib/), and every
identifier (a call or a function pointer in a table) matched against
the non-static functions other files define (a name several programs define, such as main, ties
nothing). Any strongly connected group of more than one file is printed
with the names that tie it, and the script exits 1.

usage: circles.py SRCDIR [DIR...]   (default dirs: lib collector server
clients/cli)
"""

import os
import re
import sys

DEFN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\(", re.M)
IDENT = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\b")
INCL = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
STRING = re.compile(r'"(?:\\.|[^"\\\n])*"')


def sources(top, dirs):
    for d in dirs:
        for root, _, files in os.walk(os.path.join(top, d)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(root, f), top)


def definitions(path, text):
    """Non-static functions defined in a .c file (KNF: name at column 0,
    the return type on the line above, not starting with 'static')."""
    names = set()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = DEFN.match(line)
        if not m or i == 0 or m.group(1).startswith("__"):
            continue
        prev = lines[i - 1]
        if prev.startswith("static") or prev.strip().endswith(";"):
            continue
        names.add(m.group(1))
    return names


def resolve(top, src, inc):
    for base in (os.path.dirname(src), "lib", ""):
        p = os.path.normpath(os.path.join(base, inc))
        if os.path.exists(os.path.join(top, p)):
            return p
    return None


def sccs(nodes, edges):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(sorted(comp))
    return out


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    dirs = sys.argv[2:] or ["lib", "collector", "server", "clients/cli"]
    texts = {}
    for p in sources(top, dirs):
        with open(os.path.join(top, p), encoding="utf-8") as f:
            texts[p] = f.read()
    cfiles = [p for p in texts if p.endswith(".c")]
    owner, seen = {}, {}
    for p in cfiles:
        for name in definitions(p, texts[p]):
            seen[name] = seen.get(name, 0) + 1
            owner[name] = p
    owner = {n: p for n, p in owner.items() if seen[n] == 1}
    edges, why = {}, {}
    for p in texts:
        for inc in INCL.findall(texts[p]):
            h = resolve(top, p, inc)
            if h is None or h == p or h not in texts:
                continue
            edges.setdefault(p, set()).add(h)
            why.setdefault((p, h), set()).add("#include " + inc)
        if not p.endswith(".c"):
            continue
        code = STRING.sub('""', COMMENT.sub(" ", texts[p]))
        for name in set(IDENT.findall(code)):
            q = owner.get(name)
            if q is not None and q != p:
                edges.setdefault(p, set()).add(q)
                why.setdefault((p, q), set()).add(name)
    bad = [c for c in sccs(list(texts), edges) if len(c) > 1]
    for comp in bad:
        print("circle: " + " ".join(comp))
        for a in comp:
            for b in comp:
                if (a, b) in why:
                    print("  %s -> %s: %s" % (a, b,
                          ", ".join(sorted(why[(a, b)]))))
    if bad:
        return 1
    print("no circles among %d files" % len(texts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
