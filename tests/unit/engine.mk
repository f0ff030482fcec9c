# tests/unit/: engine unit tests (Check).
