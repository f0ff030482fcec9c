# tests/deploy/: the deployment files in deploy/ (systemd units,
# Kubernetes manifests, Prometheus config and rules) checked by the real
# tools, and a real Prometheus scraping a live vfio-compatd.
TESTS += tests/deploy/systemd-verify.sh tests/deploy/k8s.sh tests/deploy/grafana.sh \
	tests/deploy/prometheus.sh
# Builds and installs the Debian packages: slow, so once (plain build),
# and only from a tree that has debian/.
if !SANITIZERS
if HAVE_DEBIAN_DIR
TESTS += tests/deploy/debian.sh
endif
endif
EXTRA_DIST += tests/deploy/debian.sh
EXTRA_DIST += tests/deploy/systemd-verify.sh tests/deploy/k8s.sh \
	tests/deploy/prometheus.sh deploy/prometheus/prometheus.yml \
	deploy/prometheus/vfio-compat.rules.yml \
	deploy/prometheus/vfio-compat.rules.test.yml \
	deploy/systemd/vfio-compatd.service \
	deploy/systemd/vfio-compat-collect.service \
	deploy/systemd/vfio-compat-collect-once.service \
	deploy/systemd/vfio-compat-collect.timer \
	deploy/systemd/vfio-compatd.default \
	deploy/systemd/vfio-compat-collect.default \
	deploy/k8s/kustomization.yaml deploy/k8s/namespace.yaml \
	deploy/k8s/server.yaml deploy/k8s/collector-daemonset.yaml \
	deploy/k8s/networkpolicy.yaml deploy/container/Containerfile \
	tests/deploy/grafana.sh deploy/grafana/vfio-compat.json \
	deploy/README.md
