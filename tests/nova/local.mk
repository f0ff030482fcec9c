# tests/nova/: the Nova scheduler filter (clients/nova) against a live
# vfio-compatd, with Debian's python3-nova.
TESTS += tests/nova/test_filter.sh
EXTRA_DIST += tests/nova/test_filter.sh tests/nova/test_filter.py \
	tests/nova/data/gpu-src.json tests/nova/data/gpu-ok.json \
	tests/nova/data/gpu-old.json \
	clients/nova/pyproject.toml clients/nova/README.md \
	clients/nova/vfio_compat_nova/__init__.py \
	clients/nova/vfio_compat_nova/filter.py
