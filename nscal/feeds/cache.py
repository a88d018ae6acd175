"""The feeds' in-process caches: least-recently-used, bounded by bytes, one set per app.

Only whole public feeds small enough to be joined in memory are kept
(``nscal.feeds.services.cached_body``): the VEVENTs themselves live in the database.

``cachetools.LRUCache`` does the bookkeeping (``getsizeof`` weighs each value, and the
least recently used values go when the total would pass ``maxsize``); a lock guards
it, because cachetools' caches are not thread-safe and a worker's threads share
them. Each cache's byte limit is a setting (``nscal.config.Defaults``), so each
cache lives in ``app.extensions``, made on first use.
"""

import threading
import weakref
from collections.abc import Callable, Hashable

import cachetools
from flask import current_app

# Every cache made, by name, so the tests and the benchmark can empty them all
# without an app context (and without keeping a finished app's cache alive).
_made: dict[str, weakref.WeakSet] = {}
_making = threading.Lock()


class ByteBoundedCache:
    """A thread-safe LRU map holding at most ``max_bytes`` of ``weigh(value)``.

    A value heavier than the whole limit is not kept: ``get`` then misses, and the
    caller renders it again, as it would after any eviction.
    """

    def __init__(self, max_bytes: int, weigh: Callable[[object], int]):
        self._values = cachetools.LRUCache(max_bytes, getsizeof=weigh)
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            return self._values.get(key)

    def get_many(self, keys: list[Hashable]) -> list:
        """The values of ``keys`` (None where missing), under one lock."""
        with self._lock:
            return [self._values.get(key) for key in keys]

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            try:
                self._values[key] = value
            except ValueError:  # cachetools: "value too large" for the whole cache
                self._values.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    @property
    def bytes(self) -> int:
        """The weight of the values held now."""
        return int(self._values.currsize)

    @property
    def max_bytes(self) -> int:
        return int(self._values.maxsize)

    def __len__(self) -> int:
        return len(self._values)


def app_cache(name: str, setting: str, weigh: Callable[[object], int]) -> ByteBoundedCache:
    """The current app's cache called ``name``, limited to ``app.config[setting]`` bytes."""
    caches = current_app.extensions.setdefault("nscal.feeds.caches", {})
    cache = caches.get(name)
    if cache is None:
        with _making:  # two threads' first requests must not make two caches
            cache = caches.get(name)
            if cache is None:
                cache = caches[name] = ByteBoundedCache(current_app.config[setting], weigh)
                _made.setdefault(name, weakref.WeakSet()).add(cache)
    return cache


def clear_all(name: str) -> None:
    """Empty the caches called ``name`` of every app in this process."""
    for cache in list(_made.get(name, ())):
        cache.clear()
