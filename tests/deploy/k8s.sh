#!/bin/bash
# tests/deploy/k8s.sh -- the Kubernetes manifests in deploy/k8s/ parse
# (python3-yaml) and hold what the operator docs promise: a collector
# DaemonSet with read-only /sys, /dev/vfio, hostPID and its token from a
# Secret, pushing to the server's Service; a server Deployment probed on
# /readyz and /healthz with limits and a non-root securityContext.
. "$top_srcdir/tests/lib.sh"

PY=/usr/bin/python3
"$PY" -c 'import yaml' || fail "python3-yaml is missing (Debian package python3-yaml)"

"$PY" - "$top_srcdir/deploy/k8s" <<'PYEOF' || fail "k8s manifests"
import os, re, sys, yaml

d = sys.argv[1]
docs = []
kust = yaml.safe_load(open(os.path.join(d, "kustomization.yaml")))
assert kust["kind"] == "Kustomization", kust
for f in kust["resources"]:
    for doc in yaml.safe_load_all(open(os.path.join(d, f))):
        if doc is not None:
            docs.append(doc)
listed = set(kust["resources"])
on_disk = {f for f in os.listdir(d) if f.endswith(".yaml")} - {"kustomization.yaml"}
assert listed == on_disk, f"kustomization lists {listed}, directory has {on_disk}"

by = {}
for doc in docs:
    assert doc.get("apiVersion") and doc.get("kind"), doc
    by.setdefault(doc["kind"], []).append(doc)
want = {"Namespace", "PersistentVolumeClaim", "Deployment", "Service", "DaemonSet"}
assert want <= set(by), f"kinds {sorted(by)}"
ns = by["Namespace"][0]["metadata"]["name"]
for doc in docs:
    if doc["kind"] != "Namespace":
        assert doc["metadata"].get("namespace") == ns, doc["metadata"]

def one(kind):
    assert len(by[kind]) == 1, kind
    return by[kind][0]

def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())

# Server Deployment.
dep = one("Deployment")
spec = dep["spec"]
assert spec["replicas"] == 1 and spec["strategy"]["type"] == "Recreate", spec
pod = spec["template"]["spec"]
assert matches(spec["selector"]["matchLabels"], spec["template"]["metadata"]["labels"])
(c,) = pod["containers"]
ports = {p["name"]: p["containerPort"] for p in c["ports"]}
assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", c["readinessProbe"]
assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", c["livenessProbe"]
for probe in (c["readinessProbe"], c["livenessProbe"]):
    assert probe["httpGet"]["port"] in ports, probe
args = " ".join(c["command"] + c["args"])
assert "vfio-compatd" in args and "--tokens=" in args, args
m = re.search(r"--listen=[^ ]*:(\d+)", args)
assert m and int(m.group(1)) == ports["http"], args
lim = c["resources"]["limits"]
assert "cpu" in lim and "memory" in lim, lim
assert pod["securityContext"]["runAsNonRoot"] is True
sc = c["securityContext"]
assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
assert sc["capabilities"]["drop"] == ["ALL"], sc
vols = {v["name"]: v for v in pod["volumes"]}
mounts = {m["name"]: m for m in c["volumeMounts"]}
db = re.search(r"--db=(\S+)", args).group(1)
assert any(db.startswith(m["mountPath"] + "/") and
           ("persistentVolumeClaim" in vols[n] or "emptyDir" in vols[n])
           for n, m in mounts.items()), "database not on a volume"
pvc = one("PersistentVolumeClaim")
assert vols["db"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
tok = re.search(r"--tokens=(\S+)", args).group(1)
assert any(tok.startswith(m["mountPath"] + "/") and "secret" in vols[n]
           for n, m in mounts.items()), "tokens not from a Secret"

# Service in front of it.
svc = one("Service")
assert matches(svc["spec"]["selector"], spec["template"]["metadata"]["labels"])
(sp,) = svc["spec"]["ports"]
assert sp["targetPort"] in ports or sp["targetPort"] in ports.values(), sp

# Collector DaemonSet.
ds = one("DaemonSet")
dspec = ds["spec"]
assert matches(dspec["selector"]["matchLabels"], dspec["template"]["metadata"]["labels"])
dpod = dspec["template"]["spec"]
assert dpod["hostPID"] is True
(cc,) = dpod["containers"]
dvols = {v["name"]: v for v in dpod["volumes"]}
dmounts = {m["mountPath"]: m for m in cc["volumeMounts"]}
for path in ("/sys", "/dev/vfio"):
    m = dmounts[path]
    assert m.get("readOnly") is True, m
    assert dvols[m["name"]]["hostPath"]["path"] == path, dvols[m["name"]]
dargs = cc["command"] + cc["args"]
assert "--watch" in dargs, dargs
push = [a.split("=", 1)[1] for a in dargs if a.startswith("--push=")]
svc_url = "http://%s.%s.svc:%d" % (svc["metadata"]["name"], ns, sp["port"])
assert push == [svc_url], (push, svc_url)
tf = [a.split("=", 1)[1] for a in dargs if a.startswith("--token-file=")]
assert len(tf) == 1
assert any(tf[0].startswith(m["mountPath"] + "/") and "secret" in dvols[m["name"]]
           for m in cc["volumeMounts"]), "collector token not from a Secret"
dsc = cc["securityContext"]
assert dsc.get("privileged") is not True and dsc["allowPrivilegeEscalation"] is False
assert dsc["capabilities"]["drop"] == ["ALL"]
assert set(dsc["capabilities"]["add"]) <= {"SYS_PTRACE", "DAC_READ_SEARCH"}
assert "limits" in cc["resources"]
print("ok: %d documents, kinds %s" % (len(docs), ", ".join(sorted(by))))
PYEOF
ok "k8s manifests"
