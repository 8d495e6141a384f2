"""Provisioning officers into units with roles."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .models import ROLE_UNIT_KIND, Role, Unit, User


@transaction.atomic
def provision_officer(
    *,
    username: str,
    role: str,
    unit_code: str,
    password: str | None = None,
    email: str = "",
    full_name: str = "",
) -> tuple[User, bool, str | None]:
    """Create or update an officer. Returns (user, created, the password set, if any)."""
    if role not in Role.values:
        raise InvalidInput(_("Unknown role %(role)s.") % {"role": role})
    kind = ROLE_UNIT_KIND[Role(role)]
    unit = Unit.objects.filter(kind=kind, code=unit_code).first()
    if unit is None:
        raise InvalidInput(
            _("No %(kind)s unit with code %(code)s.") % {"kind": kind.label, "code": unit_code}
        )
    user, created = User.objects.get_or_create(username=username)
    user.unit = unit
    user.role = role
    if email:
        user.email = email
    if full_name:
        first, _sep, last = full_name.partition(" ")
        user.first_name, user.last_name = first, last
    if created and not password:
        password = secrets.token_urlsafe(12)
    if password:
        user.set_password(password)
    user.save()
    return user, created, password
