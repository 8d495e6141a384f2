"""The flow lock is the case row: services and the engine serialise on the same row."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from casework.models import Case


class CaseRowLock:
    @contextmanager
    def __call__(self, flow_class: type, process_pk: int) -> Iterator[None]:
        # inside a service's transaction already: no savepoint needed
        with transaction.atomic(savepoint=False):
            list(
                Case.objects.select_for_update(no_key=True)
                .filter(process__pk=process_pk)
                .values_list("pk", flat=True)
            )
            yield
