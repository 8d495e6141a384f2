from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.errors import DomainError
from casework.models import Role
from casework.people import provision_officer


class Command(BaseCommand):
    help = (
        "Provision an officer. The unit is the desa code (kim_operator), the kecamatan code "
        "(forum roles), the OPD's short code (OPD roles) or the kabupaten code (supervisor)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", required=True)
        parser.add_argument("--password")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, created, password = provision_officer(
                username=options["username"],
                role=options["role"],
                unit_code=options["unit"],
                password=options["password"],
                email=options["email"],
                full_name=options["name"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.detail)) from exc
        verb = "created" if created else "updated"
        unit = user.unit.name if user.unit is not None else "—"
        self.stdout.write(f"{user.username} {verb}: {user.role} of {unit}")
        if password and not options["password"]:
            self.stdout.write(f"password: {password}")
