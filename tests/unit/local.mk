# tests/unit/: unit tests of lib/ on Check.
