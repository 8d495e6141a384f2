"""Committed outbox ids reach the workers through one thread per process
(casework.notifications.handoff.HandOff): the commits of a short window share one task message."""

import threading
from unittest import mock

import pytest

from casework.notifications import handoff as handoff_module
from casework.notifications import outbox

WAIT = 10  # seconds; every wait below ends as soon as its condition holds


class Recorder:
    """A stand-in for the publisher: records each call; can hold the first until released."""

    def __init__(self, hold_first=False, fail_first=False):
        self.calls: list[list[int]] = []
        self.hold_first = hold_first
        self.fail_first = fail_first
        self.started = threading.Event()
        self.release = threading.Event()
        self.changed = threading.Condition()

    def __call__(self, ids):
        first = not self.started.is_set()
        self.started.set()
        if first and self.hold_first:
            assert self.release.wait(WAIT)
        with self.changed:
            self.calls.append(list(ids))
            self.changed.notify_all()
        if first and self.fail_first:
            raise ConnectionError("broker down")

    def wait_for(self, n):
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.calls) >= n, WAIT), self.calls
        return self.calls


def test_one_commit_alone_is_handed_over():
    send = Recorder()
    handoff_module.HandOff(send=send, interval=0).put([1, 2])
    assert send.wait_for(1) == [[1, 2]]


def test_the_commits_of_one_window_share_a_message():
    send = Recorder()
    in_window, window_over = threading.Event(), threading.Event()

    def window(_seconds):
        in_window.set()
        assert window_over.wait(WAIT)

    handoff = handoff_module.HandOff(send=send, sleep=window)
    handoff.put([1])
    assert in_window.wait(WAIT)
    handoff.put([2, 3])
    handoff.put([4])
    window_over.set()
    assert send.wait_for(1) == [[1, 2, 3, 4]]


def test_commits_arriving_while_a_message_goes_out_share_the_next_one():
    send = Recorder(hold_first=True)
    handoff = handoff_module.HandOff(send=send, interval=0)
    handoff.put([1])
    assert send.started.wait(WAIT)
    handoff.put([2, 3])
    handoff.put([4])
    send.release.set()
    assert send.wait_for(2) == [[1], [2, 3, 4]]


def test_a_message_carries_at_most_a_batch_of_ids():
    send = Recorder(hold_first=True)
    handoff = handoff_module.HandOff(send=send, interval=0, batch=2)
    handoff.put([1])
    assert send.started.wait(WAIT)
    handoff.put([5, 6, 7])
    send.release.set()
    assert send.wait_for(3) == [[1], [5, 6], [7]]


def test_a_failed_hand_over_does_not_stop_the_next():
    send = Recorder(fail_first=True)
    handoff = handoff_module.HandOff(send=send, interval=0)
    handoff.put([1])
    send.wait_for(1)
    handoff.put([2])
    assert send.wait_for(2) == [[1], [2]]


@pytest.mark.django_db
def test_enqueue_hands_the_ids_to_the_thread_after_the_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.ASPIRASI_NOTIFY_HANDOFF = "background"
    with mock.patch.object(handoff_module.handoff, "put") as put:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            outbox.enqueue([7, 8])
        put.assert_not_called()  # nothing before the commit
        for callback in callbacks:
            callback()
    put.assert_called_once_with([7, 8])


@pytest.mark.django_db
def test_direct_hand_over_publishes_in_the_committing_thread(
    settings, django_capture_on_commit_callbacks
):
    settings.ASPIRASI_NOTIFY_HANDOFF = "direct"
    with mock.patch("casework.notifications.handoff.publish") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            outbox.enqueue([9])
    publish.assert_called_once_with([9])
