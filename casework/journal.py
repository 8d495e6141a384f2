"""The rows an action writes besides its own change, set-based, in the transaction of the change:
its audit events, the attachments that came with an event, and its outbox messages.

The services write one action's rows through a :class:`Journal` (``casework.services.kernel``
derives the messages from the actions' declarations); the sweep writes a whole batch of
reminders and escalations through one. Events go in one INSERT, attachments in one, messages
in one (officers' new-work messages chosen by the database, see
:mod:`casework.notifications.outbox`), and the messages are handed to the workers after the
commit. With a :class:`~casework.batch.RowBatch` the rows join the batch instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .batch import RowBatch
from .models import Attachment, CaseEvent, Notification
from .notifications import outbox
from .notifications.outbox import NewWork


@dataclass
class Journal:
    events: list[CaseEvent] = field(default_factory=list)
    files: list[tuple[CaseEvent, Sequence[Attachment]]] = field(default_factory=list)
    messages: list[Notification] = field(default_factory=list)
    work: list[NewWork] = field(default_factory=list)

    def attach(self, event: CaseEvent, attachments: Sequence[Attachment]) -> None:
        """Record ``attachments`` (files already stored) as having come with ``event``."""
        if attachments:
            self.files.append((event, attachments))

    def write(self, rows: RowBatch | None = None, *, skip_existing: bool = False) -> None:
        """Write everything collected; ``skip_existing``: a keyed message already in the
        outbox is not written again."""
        if rows is not None:
            if self.files:
                # the attachments point at their event: it needs its key before the batch
                for event, _attachments in self.files:
                    if event.pk is None:
                        rows.take_id(event)
            rows.add(*self.events)
            rows.add(*self._attachments())
        else:
            if len(self.events) == 1:
                self.events[0].save(force_insert=True)
            elif self.events:
                CaseEvent.objects.bulk_create(self.events)
            attachments = self._attachments()
            if attachments:
                Attachment.objects.bulk_create(attachments)
        outbox.write(self.messages, self.work, rows=rows, skip_existing=skip_existing)

    def _attachments(self) -> list[Attachment]:
        found = []
        for event, attachments in self.files:
            for attachment in attachments:
                attachment.event = event
                attachment.case_id = event.case_id
                found.append(attachment)
        return found
