from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.reference import DEFAULT_REFERENCE_JSON, ReferenceError, load_reference


class Command(BaseCommand):
    help = "Load OPD, categories and routing rules of a kabupaten from a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("json", nargs="?", default=str(DEFAULT_REFERENCE_JSON))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_reference(Path(options["json"]))
        except (OSError, ReferenceError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result['opds']} OPD, {result['categories']} categories")
