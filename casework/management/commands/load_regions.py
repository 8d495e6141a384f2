from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.reference import DEFAULT_REGIONS_CSV, ReferenceError, load_regions


class Command(BaseCommand):
    help = "Load a region tree (code,name,level,parent_code; Kemendagri codes) and its units."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("csv", nargs="?", default=str(DEFAULT_REGIONS_CSV))

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            result = load_regions(Path(options["csv"]))
        except (OSError, ReferenceError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result['regions']} regions ({result['regions_created']} new), "
            f"{result['units_created']} units created"
        )
