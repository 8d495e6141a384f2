from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.reference import DEFAULT_REFERENCE_JSON, ReferenceError, load_reference


class Command(BaseCommand):
    help = "Load OPD, categories and routing rules of a kabupaten from a JSON file."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("json", nargs="?", default=str(DEFAULT_REFERENCE_JSON))

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            result = load_reference(Path(options["json"]))
        except (OSError, ReferenceError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result['opds']} OPD, {result['categories']} categories")
