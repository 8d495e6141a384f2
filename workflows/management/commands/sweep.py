from typing import Any

from django.core.management.base import BaseCommand

from casework import idempotency
from workflows.sweep import sweep


class Command(BaseCommand):
    help = (
        "Run one service-level sweep now, and purge the idempotency keys past their retention "
        "(for operators, and for cron instead of beat)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep()
        purged = idempotency.purge()
        self.stdout.write(
            f"reminders {result.reminders}, escalations {result.escalations}, "
            f"closed {result.closed}, notifications requeued {result.requeued_notifications}, "
            f"idempotency keys purged {purged}"
        )
