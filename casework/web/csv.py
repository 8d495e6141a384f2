"""Stream any list as CSV: the filtered lists and the dashboard's charts share this helper.

Rows are written as they are produced, so an export of a long list holds neither the whole
list nor the whole file in memory. Cells that a spreadsheet would read as a formula are
neutralised (CSV injection: a case title typed by a citizen may begin with ``=``).

Every export writes times one way, ISO 8601 in WIB with the offset
(``2026-12-04T16:00:00+07:00``). Each is offered twice: with commas between fields, and with
semicolons and decimal commas (``?sep=semicolon``), which a spreadsheet set to Indonesian
opens into columns.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone, translation

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # spreadsheets then read the file as UTF-8 (Indonesian names, en dashes)


class _Echo:
    """A file-like object whose ``write`` hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


SEMICOLON = "semicolon"  # the value of ``?sep=`` asking for the Indonesian spreadsheet file


def delimiter_of(request: HttpRequest) -> str:
    """The field separator the request asks for: ``;`` with ``?sep=semicolon``, else ``,``."""
    return ";" if request.GET.get("sep") == SEMICOLON else ","


def cell(value: Any, delimiter: str = ",") -> Any:
    """One value as a CSV cell: local ISO times, empty for None, formulas defused; with the
    ``;`` separator, decimals written with a comma."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float | Decimal) and delimiter == ";":
        return str(value).replace(".", ",")
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_lines(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    language: str | None = None,
    delimiter: str = ",",
) -> Iterator[str]:
    """The lines of the file; labels in ``language`` even when the rows are produced after
    the view returned (a streamed response is read after the request's language is gone)."""
    writer = csv.writer(_Echo(), delimiter=delimiter)
    with translation.override(language or translation.get_language()):
        yield BOM + writer.writerow([str(h) for h in header])
        for row in rows:
            yield writer.writerow([cell(v, delimiter) for v in row])


def safe_filename(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "export"
    return stem if stem.lower().endswith(".csv") else f"{stem}.csv"


def csv_response(
    filename: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    request: HttpRequest | None = None,
) -> StreamingHttpResponse:
    """A streamed ``text/csv`` attachment of ``rows`` (any iterable, a queryset iterator too),
    separated as ``request`` asks (:func:`delimiter_of`)."""
    delimiter = delimiter_of(request) if request is not None else ","
    lines = csv_lines(header, rows, translation.get_language(), delimiter)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
