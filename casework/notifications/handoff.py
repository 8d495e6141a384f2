"""Handing committed outbox ids to the workers: one Celery task message for many ids.

The task is published by name (:data:`DELIVER_TASK`, defined in :mod:`casework.tasks`), so
that this package does not import the task module that imports it."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from typing import Any

from celery import current_app

log = logging.getLogger(__name__)

DELIVER_TASK = "casework.tasks.deliver_notifications"


def publish(ids: list[int]) -> None:
    """One task message for the workers with these outbox ids (raises when the broker is
    down)."""
    current_app.send_task(DELIVER_TASK, args=[list(ids)])


def hand_over(ids: list[int]) -> None:
    """One task message for the workers with these outbox ids."""
    try:
        publish(ids)
    except Exception:  # noqa: BLE001  (broker down: the outbox keeps them)
        log.warning("broker unavailable; %d notification(s) left for the sweep", len(ids))


class HandOff:
    """Hands committed outbox ids to the workers from one thread per process, at most one
    task message every ``interval`` seconds, with all the ids committed meanwhile.

    Publishing a Celery message costs about half a millisecond of CPU, as much as the rest of
    an intake's Python; in the committing thread that was one publish per intake. Here the
    request only queues its ids; the thread wakes for the first, waits ``interval`` for more
    to come, and publishes them together (at most ``batch`` ids a message, so that several
    workers still share the sending). A message waits at most ``interval`` longer than
    before. Ids still queued when a process dies are not lost: the rows stay pending in the
    outbox and the sweep hands them over.
    """

    def __init__(
        self, send: Any = None, interval: float = 0.02, batch: int = 50, sleep: Any = time.sleep
    ) -> None:
        self._send = send
        self._sleep = sleep
        self.interval = interval
        self.batch = batch
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def put(self, ids: list[int]) -> None:
        self._start()
        self._queue.put(list(ids))

    def _running(self) -> bool:
        return self._pid == os.getpid() and self._thread is not None and self._thread.is_alive()

    def _start(self) -> None:
        if self._running():
            return
        with self._lock:
            if self._running():
                return
            if self._pid != os.getpid():  # a forked process: the parent's thread isn't here
                self._queue = queue.SimpleQueue()
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._run, name="aspirasi-notify-handoff", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            waiting = list(self._queue.get())
            self._sleep(self.interval)  # let the commits of the next moments join
            while True:
                try:
                    waiting.extend(self._queue.get_nowait())
                except queue.Empty:
                    break
            for start in range(0, len(waiting), self.batch):
                try:
                    (self._send or hand_over)(waiting[start : start + self.batch])
                except Exception:
                    log.exception("notifications not handed over; left for the sweep")


handoff = HandOff()
