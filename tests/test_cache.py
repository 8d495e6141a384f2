"""The Redis cache's one-round-trip ``incr`` (config/cache.py), against the real Redis."""

import os

import pytest

from config.cache import RedisCache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


@pytest.fixture
def cache():
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-incr"})
    cache.clear()
    yield cache
    cache.clear()


def test_incr_adds_to_an_existing_value(cache):
    cache.set("n", 1, 60)
    assert cache.incr("n") == 2
    assert cache.incr("n", 5) == 7
    assert cache.get("n") == 7


def test_incr_of_a_missing_key_raises_and_creates_nothing(cache):
    with pytest.raises(ValueError):
        cache.incr("missing")
    assert cache.get("missing") is None


def test_incr_keeps_the_expiry(cache):
    cache.add("window", 0, 30)
    cache.incr("window")
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("window")) <= 30


def test_the_rate_limit_counts_with_it(rf, settings):
    from django_ratelimit.core import get_usage

    settings.CACHES = {
        "default": {"BACKEND": "config.cache.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
    request = rf.post("/", REMOTE_ADDR="10.1.2.3")
    counts = [
        get_usage(request, group="test-incr", key="ip", rate="3/m", increment=True)
        for _i in range(5)
    ]
    assert [c["count"] for c in counts] == [1, 2, 3, 4, 5]
    assert [c["should_limit"] for c in counts] == [False, False, False, True, True]


def test_count_creates_with_a_lifetime_then_adds(cache):
    assert cache.count("window", 30) == 1
    assert cache.count("window", 30) == 2
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("window")) <= 30


def test_the_limit_counted_in_one_trip_shares_django_ratelimits_counter(rf, settings):
    """casework.ratelimit counts with ``count`` on this cache, under django-ratelimit's key:
    a client's requests through either are one budget."""
    from django.core.cache import caches
    from django_ratelimit.core import get_usage

    from casework.ratelimit import retry_after

    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "test-limit",
        }
    }
    caches["default"].clear()
    request = rf.post("/", REMOTE_ADDR="10.9.8.7")
    waits = [retry_after(request, group="test-one-trip", rate="3/m") for _i in range(2)]
    usage = get_usage(request, group="test-one-trip", key="ip", rate="3/m", increment=True)
    assert usage["count"] == 3 and not usage["should_limit"]
    waits.append(retry_after(request, group="test-one-trip", rate="3/m"))
    assert waits[:2] == [None, None]
    assert waits[2] is not None
    assert 1 <= waits[2] <= 60
    other = rf.post("/", REMOTE_ADDR="10.9.8.8")
    assert retry_after(other, group="test-one-trip", rate="3/m") is None
    caches["default"].clear()
