"""Per-process caches of small, rarely changed rows (reference data, the working-day calendar),
and how they are dropped.

A cache registers here with the models it is built from (:func:`register`); the app that owns
it connects the invalidation when Django starts (:func:`connect`, from ``AppConfig.ready``),
never at import. A change to one of those models drops the cache at once, so that the transaction that
made it reads its own change, and again after its commit. Until that transaction ends, what a
reload in it reads is not kept: it may hold rows that a rollback takes back, and a kept copy
would outlive them for the cache's lifetime. Tests drop every cache between tests
(:func:`clear_all`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save


@dataclass(frozen=True)
class Cache:
    name: str
    clear: Callable[[], None]
    models: tuple[type[Model], ...]


_caches: dict[str, Cache] = {}
_local = threading.local()


def register(name: str, clear: Callable[[], None], models: Iterable[type[Model]]) -> None:
    _caches[name] = Cache(name, clear, tuple(models))


def clear_all() -> None:
    for cache in _caches.values():
        cache.clear()
    _local.pending = False


def may_keep() -> bool:
    """Whether what was just loaded may be kept: not while this thread's transaction holds
    an uncommitted change to cached rows."""
    if getattr(_local, "pending", False):
        if connection.in_atomic_block:
            return False
        _local.pending = False  # that transaction is over, committed or rolled back
    return True


def _changed(cache: Cache) -> Callable[..., None]:
    def receiver(**_kwargs: object) -> None:
        cache.clear()
        if connection.in_atomic_block:
            _local.pending = True

            def committed() -> None:
                cache.clear()
                _local.pending = False

            transaction.on_commit(committed)

    return receiver


def connect(name: str) -> None:
    """Drop the cache ``name`` when one of its models changes (called once, from the ready()
    of the app that owns it)."""
    cache = _caches[name]
    receiver = _changed(cache)
    for model in cache.models:
        uid = f"cache-{cache.name}-{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete", weak=False)


def names() -> list[str]:
    return sorted(_caches)
