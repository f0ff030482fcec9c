# tests/server/: integration tests against a live vfio-compatd.
