"""Writing the outbox: keyed messages written once, in one statement, on every backend."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.models import Notification
from casework.notifications import outbox
from casework.notifications.outbox import NewWork
from tests import factories as f

pytestmark = pytest.mark.django_db


def keyed(case, key, **overrides):
    return Notification(
        case=case,
        key=key,
        channel="email",
        recipient="warga@example.id",
        template="sla_step",
        context={"number": case.number},
        **overrides,
    )


@pytest.fixture
def handed(monkeypatch):
    """The ids handed to the workers after each commit."""
    ids: list[list[int]] = []
    monkeypatch.setattr(outbox, "hand_over", lambda given: ids.append(sorted(given)))
    return ids


def test_keyed_messages_are_written_once_in_one_statement(
    reference, handed, django_capture_on_commit_callbacks
):
    case = f.submit(reporter_email="")
    before = set(Notification.objects.values_list("pk", flat=True))
    # messages to an address without an account: their NULL user column takes the table's type
    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=True):
            outbox.write([keyed(case, f"probe:{n}") for n in range(3)], skip_existing=True)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    written = Notification.objects.exclude(pk__in=before)
    assert set(written.values_list("key", flat=True)) == {"probe:0", "probe:1", "probe:2"}
    assert not written.filter(user__isnull=False).exists()
    assert handed == [sorted(written.values_list("pk", flat=True))]

    # the same keys again, and one new: only the new one is written and handed over
    with django_capture_on_commit_callbacks(execute=True):
        outbox.write([keyed(case, f"probe:{n}") for n in range(4)], skip_existing=True)
    assert written.count() == 4
    assert handed[1:] == [[Notification.objects.get(key="probe:3").pk]]


def test_skip_existing_is_refused_with_new_work(reference):
    case = f.submit()
    work = NewWork(case=case, stages=["triage"], roles=["forum_officer"])
    with pytest.raises(ValueError, match="skip_existing"):
        outbox.write([], [work], skip_existing=True)
