"""config.cache.FailOpenRedisCache against a real Redis server of the test's own, stopped and started
again: it answers from Redis while Redis is up, from the process's memory while it is down (with one
warning for the outage), and goes back to Redis as soon as it answers again."""

from __future__ import annotations

import logging
import subprocess
import time

import pytest
import redis

from config.cache import FailOpenRedisCache
from tests.notifications.conftest import unused_port


class RedisServer:
    """redis-server on a free port, in memory only; stopped and started by the test."""

    def __init__(self, port: int):
        self.port, self.process = port, None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def server():
    server = RedisServer(unused_port())
    server.start()
    yield server
    server.stop()


def cache_at(server) -> FailOpenRedisCache:
    return FailOpenRedisCache(
        f"redis://127.0.0.1:{server.port}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "RETRY_AFTER": 0.5}},
    )


def test_the_cache_falls_back_to_memory_while_redis_is_down_and_returns_to_it(server, caplog):
    caplog.set_level(logging.INFO, logger="config.cache")
    cache = cache_at(server)
    cache.set("kept", "in redis")
    assert redis.Redis(port=server.port).exists(":1:kept")

    server.stop()
    assert cache.get("kept") is None  # a miss, not an error
    assert cache.add("count", 0) is True and cache.incr("count") == 1 and cache.incr("count") == 2
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b"]) == {"a": 1, "b": 2}
    assert cache.get_or_set("c", 3) == 3 and cache.has_key("c")
    cache.delete("c")
    assert not cache.has_key("c")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Cache unreachable" in warnings[0]

    server.start()
    time.sleep(0.6)  # RETRY_AFTER
    # Back on Redis: what was counted in memory meanwhile is forgotten.
    assert cache.get("count") is None
    cache.set("kept", "again")
    assert redis.Redis(port=server.port).get(":1:kept") is not None
    assert "Cache reachable again" in caplog.text
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_while_redis_is_down_it_is_tried_again_only_after_the_pause(server):
    cache = cache_at(server)
    server.stop()
    cache.get("x")
    server.start()
    # Within RETRY_AFTER the memory answers without asking Redis; after it, Redis again.
    cache.set("x", "memory")
    assert not redis.Redis(port=server.port).exists(":1:x")
    time.sleep(0.6)
    cache.set("x", "redis")
    assert redis.Redis(port=server.port).exists(":1:x")


def test_the_warning_leaves_the_password_out(caplog):
    caplog.set_level(logging.WARNING, logger="config.cache")
    cache = FailOpenRedisCache(f"redis://:s3cret-pass@127.0.0.1:{unused_port()}/0", {"OPTIONS": {"RETRY_AFTER": 0.5}})
    assert cache.get("x", "default") == "default"
    assert "Cache unreachable at redis://127.0.0.1:" in caplog.text and "s3cret" not in caplog.text
