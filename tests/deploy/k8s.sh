#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/deploy/k8s.sh -- the Kubernetes manifests in deploy/k8s/ parse
# (python3-yaml) and hold what the operator docs promise: a collector
# DaemonSet in its own (privileged) namespace with read-only /sys,
# /dev/vfio, /dev/iommu, hostPaths that must exist (never *OrCreate),
# hostPID and its token from a Secret, pushing to the server's Service; a
# server Deployment of 3 replicas on PostgreSQL (the --db URI from a
# Secret, through an environment variable), in a namespace enforcing Pod
# Security "restricted", meeting that profile, with a PodDisruptionBudget
# that keeps two replicas up, started and made ready on /readyz and kept
# alive on /healthz, with limits and a NetworkPolicy on its port (and
# egress to the database only); both running the image of
# deploy/container/Containerfile, whose packages hold their commands.
. "$top_srcdir/tests/lib.sh"

PY=/usr/bin/python3
export top_srcdir
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
want = {"Namespace", "Deployment", "PodDisruptionBudget", "Service", "DaemonSet"}
assert want <= set(by), f"kinds {sorted(by)}"
assert "namespace" not in kust, "kustomize would put everything in one namespace"
nss = {n["metadata"]["name"]: n for n in by["Namespace"]}
for doc in docs:
    if doc["kind"] != "Namespace":
        assert doc["metadata"].get("namespace") in nss, doc["metadata"]

def one(kind):
    assert len(by[kind]) == 1, kind
    return by[kind][0]

def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())

# Server Deployment, alone in a namespace enforcing "restricted".
dep = one("Deployment")
ns = dep["metadata"]["namespace"]
lab = nss[ns]["metadata"]["labels"]
assert lab.get("pod-security.kubernetes.io/enforce") == "restricted", lab
spec = dep["spec"]
# Replicas on one PostgreSQL database, replaced one at a time.
assert spec["replicas"] == 3, spec
assert spec["strategy"]["type"] == "RollingUpdate", spec["strategy"]
assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 1, spec["strategy"]
pod = spec["template"]["spec"]
podlabels = spec["template"]["metadata"]["labels"]
assert matches(spec["selector"]["matchLabels"], podlabels)
(c,) = pod["containers"]
ports = {p["name"]: p["containerPort"] for p in c["ports"]}
# The start-up of SPEC v1.1: /healthz at once, /readyz once loaded.
assert c["startupProbe"]["httpGet"]["path"] == "/readyz", c["startupProbe"]
assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", c["readinessProbe"]
assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", c["livenessProbe"]
for probe in (c["startupProbe"], c["readinessProbe"], c["livenessProbe"]):
    assert probe["httpGet"]["port"] in ports, probe
sp_ = c["startupProbe"]
assert sp_["periodSeconds"] * sp_["failureThreshold"] >= 120, \
    "startupProbe gives up before a 10,000-host fleet can load"
assert "initialDelaySeconds" not in c["livenessProbe"], "the startupProbe gates liveness"
args = " ".join(c["command"] + c["args"])
assert "vfio-compatd" in args and "--tokens=" in args, args
m = re.search(r"--listen=[^ ]*:(\d+)", args)
assert m and int(m.group(1)) == ports["http"], args
lim, req = c["resources"]["limits"], c["resources"]["requests"]
assert "cpu" in lim and "memory" in lim, lim
def mib(q):
    m = re.fullmatch(r"(\d+)(Mi|Gi)", q)
    assert m, f"memory {q!r}: give Mi or Gi"
    return int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1)
assert mib(req["memory"]) <= mib(lim["memory"]), (req, lim)
assert pod["securityContext"]["runAsNonRoot"] is True
sc = c["securityContext"]
assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
assert sc["capabilities"]["drop"] == ["ALL"], sc
# The rest of Pod Security "restricted" (v1.25+).
psc = pod["securityContext"]
assert "RuntimeDefault" in (psc.get("seccompProfile", {}).get("type"),
                            sc.get("seccompProfile", {}).get("type")), psc
assert psc.get("runAsUser", 1) != 0 and sc.get("runAsUser", 1) != 0
for key in ("hostPID", "hostNetwork", "hostIPC"):
    assert not pod.get(key), key
assert not sc.get("privileged"), sc
vols = {v["name"]: v for v in pod["volumes"]}
allowed = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
           "persistentVolumeClaim", "projected", "secret"}
for v in pod["volumes"]:
    kinds = set(v) - {"name"}
    assert kinds <= allowed, f"volume {v['name']}: {kinds} not allowed by restricted"

mounts = {m["name"]: m for m in c["volumeMounts"]}
# --db is $(VAR), VAR from a Secret's key: the URI and its password are
# in no manifest.
m = re.search(r"--db=\$\((\w+)\)(?: |$)", args)
assert m, f"--db is not an environment variable: {args}"
env = {e["name"]: e for e in c.get("env", [])}
ref = env[m.group(1)]["valueFrom"]["secretKeyRef"]
assert ref["name"] and ref["key"], ref
assert "persistentVolumeClaim" not in str(pod["volumes"]), "replicas share no volume"
tok = re.search(r"--tokens=(\S+)", args).group(1)
assert any(tok.startswith(m["mountPath"] + "/") and "secret" in vols[n]
           for n, m in mounts.items()), "tokens not from a Secret"

# Two replicas stay up through a drain.
pdb = one("PodDisruptionBudget")
assert pdb["apiVersion"] == "policy/v1", pdb["apiVersion"]
assert pdb["metadata"]["namespace"] == ns
assert matches(pdb["spec"]["selector"]["matchLabels"], podlabels)
left = (spec["replicas"] - pdb["spec"]["maxUnavailable"]
        if "maxUnavailable" in pdb["spec"] else pdb["spec"]["minAvailable"])
assert left == 2, pdb["spec"]

# Service in front of it.
svc = one("Service")
assert matches(svc["spec"]["selector"], spec["template"]["metadata"]["labels"])
(sp,) = svc["spec"]["ports"]
assert sp["targetPort"] in ports or sp["targetPort"] in ports.values(), sp

# NetworkPolicy on the server's port, ingress only.
(np,) = by["NetworkPolicy"]
assert np["metadata"]["namespace"] == ns
assert matches(np["spec"]["podSelector"]["matchLabels"], spec["template"]["metadata"]["labels"])
assert "Ingress" in np["spec"]["policyTypes"]
for rule in np["spec"]["ingress"]:
    for p in rule["ports"]:
        assert p["port"] in ports or p["port"] in ports.values(), p
assert "Egress" in np["spec"]["policyTypes"]
eports = {p["port"] for rule in np["spec"]["egress"] for p in rule["ports"]}
assert eports == {5432, 53}, f"egress to {eports}: PostgreSQL and DNS only"

# Collector DaemonSet, in a namespace of its own.
ds = one("DaemonSet")
assert ds["metadata"]["namespace"] != ns, "collector shares the server's namespace"
assert nss[ds["metadata"]["namespace"]]["metadata"]["labels"].get(
    "pod-security.kubernetes.io/enforce") == "privileged"
dspec = ds["spec"]
assert matches(dspec["selector"]["matchLabels"], dspec["template"]["metadata"]["labels"])
dpod = dspec["template"]["spec"]
assert dpod["hostPID"] is True
(cc,) = dpod["containers"]
dvols = {v["name"]: v for v in dpod["volumes"]}
dmounts = {m["mountPath"]: m for m in cc["volumeMounts"]}
for path in ("/sys", "/dev/vfio", "/dev/iommu", "/run/udev"):
    m = dmounts[path]
    assert m.get("readOnly") is True, m
    assert dvols[m["name"]]["hostPath"]["path"] == path, dvols[m["name"]]
assert dvols[dmounts["/dev/iommu"]["name"]]["hostPath"]["type"] == "CharDevice"
for v in dpod["volumes"]:
    if "hostPath" in v:
        t = v["hostPath"].get("type", "")
        assert t in ("Directory", "CharDevice", "File"), f"{v['name']}: type {t!r} may create it"
        assert "OrCreate" not in t, v
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

# One image, built by the Containerfile from the Debian packages, whose
# .install lists hold every container's command.
cf = open(os.path.join(os.environ["top_srcdir"], "deploy/container/Containerfile")).read()
images = {c["image"] for c in (pod["containers"] + dpod["containers"])}
assert len(images) == 1, images
pkgs = set(re.findall(r"/src/(vfio-compat-[a-z]+)_\*\.deb", cf))
assert {"vfio-compat-server", "vfio-compat-collector"} <= pkgs, pkgs
assert "dpkg-buildpackage" in cf and "apt-get build-dep" in cf
assert re.search(r"^USER (?!0\b|root)", cf, re.M), "image runs as root"
installed = set()
for p in pkgs:
    with open(os.path.join(os.environ["top_srcdir"], "debian", p + ".install")) as f:
        installed |= {"/" + l.strip() for l in f if l.strip()}
for cmd in (c["command"][0], cc["command"][0]):
    assert cmd in installed, f"{cmd} is not in the image's packages"
print("ok: %d documents, kinds %s" % (len(docs), ", ".join(sorted(by))))
PYEOF
ok "k8s manifests"
