#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/deploy/grafana.sh -- deploy/grafana/vfio-compat.json is a
# dashboard Grafana can load (valid JSON, panels with targets), every
# PromQL expression in it parses (wrapped as recording rules for
# promtool check rules), and every vfio_compat_* and process_* metric
# and label it selects on is exported by a live vfio-compatd's /metrics,
# so no panel is silently empty.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"
command -v promtool >/dev/null || fail "promtool is missing (Debian package prometheus)"
dash="$top_srcdir/deploy/grafana/vfio-compat.json"

python3 - "$dash" "$T/rules.yml" "$T/exprs" <<'PY' || fail "dashboard structure"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["uid"] and d["title"], "uid and title"
assert any(v["type"] == "datasource" for v in d["templating"]["list"])
exprs = []
def walk(panels):
    for p in panels:
        if p["type"] == "row":
            walk(p.get("panels", []))
            continue
        assert p.get("targets"), f"panel {p['title']} has no query"
        for t in p["targets"]:
            assert t["expr"].strip(), p["title"]
            exprs.append(t["expr"])
walk(d["panels"])
ids = [p["id"] for p in d["panels"]]
assert len(ids) == len(set(ids)), "duplicate panel ids"
assert len(exprs) >= 10, exprs
with open(sys.argv[2], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        f.write("      - record: dashboard:expr_%d\n        expr: %s\n" %
                (i, json.dumps(e)))
with open(sys.argv[3], "w") as f:
    f.write("\n".join(exprs) + "\n")
print("ok: %d panels, %d expressions" % (len(ids), len(exprs)))
PY
promtool check rules "$T/rules.yml" >"$T/promtool.out" 2>&1 ||
    { cat "$T/promtool.out"; fail "promtool check rules"; }
ok "every expression parses ($(grep -c . "$T/exprs"))"

# A server with the demo fleet, one check of each form and one PUT, so
# every series the dashboard reads exists.
start_server --demo "$top_srcdir/deploy/demo"
curl -s -o /dev/null -X POST "$URL/v1/check" -H 'Content-Type: application/json' \
    -d '{"source":{"vm":"3d6f0a52-1b7e-4c39-8a1d-5e2f9b7c4a10"}}'
curl -s -o /dev/null "$URL/v1/hosts/gpu-a2/check?source_host=gpu-a1&device=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
curl -s -o /dev/null "$URL/v1/vms/3d6f0a52-1b7e-4c39-8a1d-5e2f9b7c4a10/destinations"
curl -s -o /dev/null -X PUT -H 'Content-Type: application/json' -d '{}' \
    "$URL/v1/hosts/gpu-a1/inventory"
curl -s "$URL/metrics" >"$T/metrics"
python3 - "$T/exprs" "$T/metrics" <<'PY' || fail "dashboard metrics missing from /metrics"
import re, sys
exprs = open(sys.argv[1]).read()
labels = {}
for line in open(sys.argv[2]):
    if line.startswith("#") or not line.strip():
        continue
    m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?", line)
    names = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3) or ""))
    labels.setdefault(m.group(1), set()).update(names)
bad = []
# The standard process_* series too: the dashboard plots them by replica.
used = sorted(set(re.findall(r"\b(?:vfio_compat|process)_[a-z0-9_]+", exprs)))
for name in used:
    if name not in labels:
        bad.append("metric %s is not in /metrics" % name)
for name, sel in re.findall(r"\b((?:vfio_compat|process)_[a-z0-9_]+)\{([^}]*)\}", exprs):
    for l in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*=~?", sel):
        if l not in labels.get(name, set()):
            bad.append("label %s of %s is not in /metrics" % (l, name))
for clause in re.findall(r"\bby \(([^)]*)\)", exprs):
    for l in (x.strip() for x in clause.split(",")):
        if l != "le" and not any(l in s for s in labels.values()):
            bad.append("grouping label %s is on no metric" % l)
for b in bad:
    print(b)
print("ok: %d metrics used, all exported" % len(used))
sys.exit(1 if bad else 0)
PY
ok "every metric and label the dashboard uses is in /metrics"
stop_server
