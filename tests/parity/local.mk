# SPDX-License-Identifier: Apache-2.0
# tests/parity/: collector against mdevctl and lspci.
TESTS += tests/parity/trees.sh tests/parity/mdevctl-types.sh \
	tests/parity/lspci-trees.sh \
	tests/parity/lspci-host.sh
EXTRA_DIST += tests/parity/trees.sh tests/parity/mdevctl-types.sh \
	tests/parity/lspci-trees.sh \
	tests/parity/lspci-host.sh tests/parity/common.sh
# The trees under tests/data/ (used here and by tests/collector/).
EXTRA_DIST += tests/data/with-tree tests/data/README.md \
	tests/data/make-trees tests/data/treegen.py \
	tests/data/gvtg.umockdev tests/data/gvtg.extra \
	tests/data/t4.umockdev tests/data/t4.extra \
	tests/data/h100.umockdev tests/data/h100.extra \
	tests/data/connectx.umockdev tests/data/connectx.extra \
	tests/data/mtty.umockdev tests/data/mtty.extra \
	tests/data/s390.umockdev tests/data/s390.extra \
	tests/data/hostile.umockdev tests/data/hostile.extra \
	tests/data/xe.umockdev tests/data/xe.extra
# The collector bench (run by hand or by deploy/quickstart bench).
EXTRA_DIST += tests/bench/collector tests/bench/gen-host-tree
