# SPDX-License-Identifier: Apache-2.0
# tests/deploy/: the deployment files in deploy/ (systemd units,
# Kubernetes manifests, Prometheus config and rules) checked by the real
# tools, and a real Prometheus scraping a live vfio-compatd.
TESTS += tests/deploy/systemd-verify.sh tests/deploy/k8s.sh tests/deploy/grafana.sh \
	tests/deploy/prometheus.sh
# Builds and installs the Debian packages: slow, so once (plain build),
# and from the git checkout only (not again inside make distcheck).
if !SANITIZERS
if GIT_CHECKOUT
TESTS += tests/deploy/debian.sh
endif
endif
# A native package: the release tarball carries debian/.
EXTRA_DIST += tests/deploy/debian.sh \
	debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format \
	debian/vfio-compat-server.install debian/vfio-compat-server.postinst \
	debian/vfio-compat-server.postrm \
	debian/vfio-compat-collector.install debian/vfio-compat-collector.dirs \
	debian/vfio-compat-client.install debian/vfio-compat-client.docs \
	debian/python3-vfio-compat-nova.docs
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
