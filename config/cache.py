"""The cache: Redis, and this process's memory while Redis cannot be reached.

Nothing the register keeps lives only in the cache: it holds viewflow's avatar URLs, the rate
limits of the token endpoint and of the certificate check, and the rollover's progress bar. So a
Redis outage must not turn every page into a 500 (the page frame reads the avatar URL through the
cache). When Redis refuses or times out, FailOpenRedisCache logs one warning and answers from a
per-process memory cache instead; it tries Redis again RETRY_AFTER seconds later, and goes back to it
(emptying the memory) as soon as it answers. Meanwhile rate limits count per web process, and a
progress bar written by a worker reads as not started.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _without_password(location: str) -> str:
    """redis://:secret@host:6379/0 → redis://host:6379/0, for the log."""
    return re.sub(r"//[^/@]*@", "//", location)


class _Outage:
    """Whether the Redis at one location is down, shared by every thread of the process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.retry_at: float | None = None  # None while Redis answers

    def skipping(self) -> bool:
        with self.lock:
            return self.retry_at is not None and time.monotonic() < self.retry_at

    def failed(self, location: str, error: Exception, retry_after: float) -> None:
        with self.lock:
            first = self.retry_at is None
            self.retry_at = time.monotonic() + retry_after
        if first:
            logger.warning(
                "Cache unreachable at %s (%s): serving from this process's memory, retrying every %g s.",
                location, error, retry_after,
            )

    def answered(self, location: str) -> bool:
        """Redis answered; True when that ends an outage."""
        with self.lock:
            was_down, self.retry_at = self.retry_at is not None, None
        if was_down:
            logger.info("Cache reachable again at %s.", location)
        return was_down


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache that degrades to this process's memory while Redis is unreachable.

    OPTIONS: RETRY_AFTER (seconds between attempts during an outage, default 10); the rest go to
    redis-py as for RedisCache (socket_connect_timeout, socket_timeout …).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self._retry_after = float(options.pop("RETRY_AFTER", 10))
        super().__init__(server, {**params, "OPTIONS": options})
        location = ",".join(self._servers)
        self._location = _without_password(location)
        with _outages_lock:
            self._outage = _outages.setdefault(location, _Outage())
        self._memory = LocMemCache(
            f"xueji-fail-open:{location}",
            {key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION") if key in params}
            | {"OPTIONS": {"MAX_ENTRIES": 10000}},
        )

    def _either(self, method: str, *args, **kwargs):
        if not self._outage.skipping():
            try:
                result = getattr(super(), method)(*args, **kwargs)
            except UNREACHABLE as error:
                self._outage.failed(self._location, error, self._retry_after)
            else:
                if self._outage.answered(self._location):
                    self._memory.clear()  # stale: Redis holds the truth again
                return result
        return getattr(self._memory, method)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._either("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._either("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._either("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._either("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._either("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._either("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._either("delete_many", *args, **kwargs)

    def clear(self):
        self._memory.clear()
        return self._either("clear")
