"""Django's Redis cache, with less work per operation.

* ``incr`` in one round trip: Django's asks whether the key exists, then increments it. The
  abuse limits (django-ratelimit: ``add`` the window's counter, else ``incr`` it) run on every
  public submission and lookup. Here the check and the increment are one server-side script,
  with the same result: the new value, or ``ValueError`` when the key does not exist.
* ``count(key, timeout)``: add one to a counter, creating it with that lifetime when it does
  not exist, in one round trip (one script): the abuse limits' window counter
  (:mod:`casework.ratelimit`), which django-ratelimit keeps with ``add`` then ``incr``.
* One ``redis.Redis`` client per connection pool: Django builds a new one for every
  operation, and building one (its table of response callbacks) costs more than the round
  trip. A client is safe to share between threads; the pool hands out the connections.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return nil
"""


COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return n
"""


Key = str | bytes | memoryview


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._incr_scripts: dict[int, Any] = {}
        self._count_scripts: dict[int, Any] = {}

    def get_client(self, key: Key | None = None, *, write: bool = False) -> Any:
        # Django's own client: its pool helper and client class, which the stubs leave out
        django_client: Any = self
        pool = django_client._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = django_client._client(connection_pool=pool)
            self._incr_scripts[id(client)] = client.register_script(INCR_EXISTING)
            self._count_scripts[id(client)] = client.register_script(COUNT)
        return client

    def incr(self, key: Key, delta: int) -> int:
        client = self.get_client(key, write=True)
        value = self._incr_scripts[id(client)](keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key {key!r} not found.")
        return int(value)

    def count(self, key: Key, timeout: int) -> int:
        client = self.get_client(key, write=True)
        return int(self._count_scripts[id(client)](keys=[key], args=[timeout], client=client))


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count(self, key: str, timeout: int, version: int | None = None) -> int:
        """Add one to the counter ``key`` (created with ``timeout`` seconds to live when
        missing) and return its new value."""
        key = self.make_and_validate_key(key, version=version)
        client = self._cache
        assert isinstance(client, RedisCacheClient)
        return client.count(key, int(timeout))
