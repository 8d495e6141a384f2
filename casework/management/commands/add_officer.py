from django.core.management.base import BaseCommand, CommandError

from casework.errors import DomainError
from casework.models import Role
from casework.people import provision_officer


class Command(BaseCommand):
    help = (
        "Provision an officer. The unit is the desa code (kim_operator), the kecamatan code "
        "(forum roles), the OPD's short code (OPD roles) or the kabupaten code (supervisor)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", required=True)
        parser.add_argument("--password")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
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
        self.stdout.write(f"{user.username} {verb}: {user.role} of {user.unit.name}")
        if password and not options["password"]:
            self.stdout.write(f"password: {password}")
