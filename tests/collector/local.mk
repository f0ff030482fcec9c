# tests/collector/: collector over recorded trees.
