from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.demo import DEMO_PASSWORD, seed_demo
from casework.models import Case


class Command(BaseCommand):
    help = (
        "Load Lumajang, its OPD and categories, demo officers and about 200 cases (local use only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=200)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if cases exist")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Case.objects.exists():
            self.stdout.write("Cases already present; demo data left as it is.")
            return
        result = seed_demo(cases=options["cases"])
        self.stdout.write(f"{result.cases} demo cases. Officers (password: {DEMO_PASSWORD}):")
        for username, role, unit in result.officers:
            self.stdout.write(f"  {username:24} {role:18} {unit}")
