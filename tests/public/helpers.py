"""Shared by the public pages' tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import Client

# the phone number as its digits: stored as +6281234567890, typed as 081234567890
REPORTER = ("Siti Aminah", "81234567890", "siti@example.org", "3508014101900001")


def html_lang(response) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert found, "no lang attribute on <html>"
    return found.group(1)


def matched(pattern: str, text: str, flags: int = 0, group: int = 1) -> str:
    """A group of the first match of ``pattern`` in ``text``; fails the test without one."""
    found = re.search(pattern, text, flags)
    assert found, f"no match for {pattern}"
    return found.group(group)


def english(client: Client | None = None) -> Client:
    """A client that switched the language to English with the header's buttons."""
    client = client or Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def table_row(html: str, code: str) -> dict[str, str]:
    """The cells (by ``data-col``) of the table row ``data-code=code``."""
    row = re.search(rf'<tr data-code="{re.escape(code)}">(.*?)</tr>', html, re.S)
    assert row, f"no row {code}"
    return {
        name: text_of(value)
        for name, value in re.findall(r'<td[^>]*data-col="([^"]+)"[^>]*>(.*?)</td>', row.group(1))
    }
