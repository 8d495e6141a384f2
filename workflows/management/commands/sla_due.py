from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows.sla import WIB, add_working_days


class Command(BaseCommand):
    help = "Print the deadline N working days after a moment of receipt (ISO 8601, WIB)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, help="ISO datetime; naive means WIB")
        parser.add_argument("--working-days", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = datetime.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(f"--start: {exc}") from exc
        if start.tzinfo is None:
            start = start.replace(tzinfo=WIB)
        if options["working_days"] < 0:
            raise CommandError("--working-days must not be negative")
        self.stdout.write(add_working_days(start, options["working_days"]).isoformat())
