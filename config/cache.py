"""Django's Redis cache with an ``incr`` of one round trip.

Django's ``RedisCacheClient.incr`` asks whether the key exists, then increments it: two round
trips. The abuse limits (django-ratelimit: ``add`` the window's counter, else ``incr`` it) run
on every public submission and lookup, so that second trip is a measurable part of a request.
Here the check and the increment are one server-side script, with the same result: the new
value, or ``ValueError`` when the key does not exist.
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


class RedisCacheClient(DjangoRedisCacheClient):
    _scripts: dict[int, Any]

    def incr(self, key: str, delta: int) -> int:
        client = self.get_client(key, write=True)
        scripts = self.__dict__.setdefault("_scripts", {})
        script = scripts.get(id(client))
        if script is None:
            script = scripts[id(client)] = client.register_script(INCR_EXISTING)
        value = script(keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return int(value)


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
