"""Model fields of casework."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from encrypted_fields.fields import EncryptedCharField

if TYPE_CHECKING:
    from django.db import models

    class _Base(models.CharField):
        """The untyped library's field, to the type checker: a CharField holding a string."""

        def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any: ...

else:
    _Base = EncryptedCharField


class EncryptedCharField_(_Base):  # noqa: N801
    """Encrypted at rest (Fernet; keys derived from SECRET_KEY and its fallbacks with SALT_KEY),
    stored as NULL when empty and read back as an empty string."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return super().from_db_value(value, expression, connection) or ""
