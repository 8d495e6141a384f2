from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.reference import DEFAULT_REGIONS_CSV, ReferenceError, load_regions


class Command(BaseCommand):
    help = "Load a region tree (code,name,level,parent_code; Kemendagri codes) and its units."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", nargs="?", default=str(DEFAULT_REGIONS_CSV))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_regions(Path(options["csv"]))
        except (OSError, ReferenceError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result['regions']} regions ({result['regions_created']} new), "
            f"{result['units_created']} units created"
        )
