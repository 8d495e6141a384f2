"""No English on the Indonesian pages.

Each role (and an anonymous visitor) opens every page reachable from the navigation (the main
menu and the tabs, followed from the start page), the case pages of cases in every stage, the
tracking page, and the 403 and 404 pages, in Indonesian; no page may show a string of the
English catalogue (``locale/en/LC_MESSAGES/django.po``) that reads differently in Indonesian.
Left out: the catalogue's Indonesian msgids (those with an English msgstr), msgids written the
same in both languages (such as "OPD"), fragments too short to tell the languages apart, and
text marked ``lang="en"``. The 500 page renders without a request or a database.

Pages covered (``PAGES`` lists what a run visited): for the officers, the start page, the
tasks (mine and the unit's queue), the case list, the intake form, the review of escalations
and overdue work (both tabs), the dashboard, each case page, 403 and 404; for the visitor, the
home page, the submission form, the tracking form and a tracking page, the transparency page
and a kecamatan's page, the sign-in form and 404.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.db import connections
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from casework.scenarios import Route
from tests import factories as f
from tests.conftest import KECAMATAN
from tests.web.test_review import escalate

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
PAGES: dict[str, list[str]] = {}  # who → the paths visited (for the record)
SHORTEST = 7  # fragments shorter than this (and single words under it) are not telling


def _unquote(line: str) -> str:
    text = line[line.index('"') + 1 : line.rindex('"')]
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def read_po(path: Path) -> list[dict[str, str]]:
    """The entries of a .po file: msgid, msgid_plural and msgstr (plural forms joined by NUL)."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    key = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith('"'):
            entry[key] += _unquote(line)
            continue
        if not line or line.startswith("#"):
            continue
        name = line.split(" ", 1)[0]
        if name == "msgid" and "msgid" in entry:
            entries.append(entry)
            entry = {}
        key = "msgstr" if name.startswith("msgstr") else name
        value = _unquote(line)
        entry[key] = entry[key] + "\x00" + value if key in entry else value
    if "msgid" in entry:
        entries.append(entry)
    return [e for e in entries if e["msgid"]]


PLACEHOLDER = r"%\([a-z_]+\)[sd]|%[sd]|\{[^}]*\}"
NUMBER = r"\d[\d.,]*\s"


def _fragments(msgid: str) -> list[str]:
    """Patterns for the literal parts of a message worth looking for (placeholders and tags
    cut out); a short word after a number ("6 overdue", "0 days") with the number."""
    found = []
    pieces = re.split(f"({PLACEHOLDER})", msgid)
    for i, piece in enumerate(pieces):
        if i % 2:  # a placeholder
            continue
        after_number = i > 0 and piece[:1] == " "
        for part in re.split(r"<[^>]+>|\s*\n\s*", piece):
            part = part.strip(" .,:;·—-()/")
            if len(part) >= SHORTEST or (" " in part and len(part) >= 5):
                found.append(re.escape(part))
            elif after_number and part.isalpha() and piece.strip(" .").startswith(part):
                found.append(NUMBER + re.escape(part))
            after_number = False
    return found


def english_phrases() -> dict[str, str]:
    """Each telling pattern of the English catalogue → the msgid it comes from."""
    indonesian = {}
    for entry in read_po(LOCALE / "id" / "LC_MESSAGES" / "django.po"):
        indonesian[entry["msgid"]] = entry.get("msgstr", "").split("\x00")
    phrases = {}
    for entry in read_po(LOCALE / "en" / "LC_MESSAGES" / "django.po"):
        if entry.get("msgstr", "").strip("\x00"):
            continue  # an Indonesian msgid with its English translation
        same = indonesian.get(entry["msgid"], [])
        for msgid in (entry["msgid"], entry.get("msgid_plural", "")):
            for pattern in _fragments(msgid) if msgid else ():
                bare = pattern.removeprefix(NUMBER)
                if any(re.search(r"(?<!\w)" + bare + r"(?!\w)", form) for form in same):
                    continue  # written the same in Indonesian
                phrases[pattern] = entry["msgid"]
    return phrases


class _Text(HTMLParser):
    """The text a reader meets: content, titles, labels and placeholders; not scripts,
    styles, nor what is marked as English."""

    SKIP = {"script", "style", "svg"}
    ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    @property
    def hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = tag in self.SKIP or (values.get("lang") or "").startswith("en")
        if not self.hidden and not skip:
            self.parts += [values[a] or "" for a in self.ATTRIBUTES if values.get(a)]
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def leaks(html: str, phrases: dict[str, str]) -> list[str]:
    text = visible_text(html)
    found = []
    for pattern, msgid in phrases.items():
        match = re.search(r"(?<![\w])" + pattern + r"(?!\w)", text)
        if match:
            found.append(f"{match.group(0)!r} (from {msgid!r})")
    return sorted(found)


def nav_links(html: str) -> list[str]:
    """The links of the page's menus and tabs."""
    links = []
    for block in re.findall(r"<nav\b.*?</nav>", html, flags=re.S):
        links += re.findall(r'href="([^"#]+)"', block)
    return [link.replace("&amp;", "&") for link in links]


def crawl(client: Client, start: list[str], who: str, phrases: dict[str, str]) -> list[str]:
    """Open ``start`` and every page its menus and tabs lead to; the leaks found."""
    seen: set[str] = set()
    todo = list(start)
    found = []
    while todo:
        url = todo.pop(0)
        parts = urlsplit(url)
        if parts.netloc or url in seen or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(("/api/", "/admin/", "/static/", "/keluar")):
            continue
        seen.add(url)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
        if response.status_code in (301, 302):
            todo.append(response["Location"])
            continue
        assert response.status_code in (200, 403, 404), (who, url, response.status_code)
        if "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert '<html lang="id"' in html, (who, url)
        found += [f"{who} {url}: {leak}" for leak in leaks(html, phrases)]
        todo += [urljoin(url, link) for link in nav_links(html)]
    PAGES[who] = sorted(seen)
    return found


@pytest.fixture
def cases(officers):
    """Cases in each stage, some of them late and escalated, one disputed and one closed."""
    dputr = Route(opds=("dputr",), texts={"response": "Sudah ditambal."})
    made = {
        "received": f.submit(),
        "forwarded": f.forwarded(officers, reporter_email=""),
        "in_triage": f.in_triage(officers),
        "dispatched": f.dispatched(officers, opds=("dputr", "dinkes")),
        "in_progress": f.in_progress(officers),
        "responded": f.drive(officers, "responded", dputr),
        "closed": f.drive(officers, "closed", dputr),
    }
    escalate()
    disputed = f.drive(officers, "responded", dputr)
    from casework import services

    made["disputed"] = services.dispute_case(case=disputed, reason="Belum selesai")
    return made


ROLES = ("kim", "forum", "coordinator", "pu", "pu_head", "supervisor")


def test_officers_pages_show_no_english(officers, cases):
    phrases = english_phrases()
    assert re.escape("Not allowed") in phrases  # the catalogue was read
    found = []
    for who in ROLES:
        client = Client()
        client.force_login(officers[who])
        start = ["/petugas/"]
        start += [f"/petugas/laporan/{case.number}/" for case in cases.values()]
        start += ["/petugas/pengawasan/", "/petugas/dasbor/", "/petugas/laporan/LMJ-0000-00000/"]
        found += crawl(client, start, who, phrases)
    assert not found, "\n".join(found)
    assert len(PAGES["supervisor"]) >= 12, PAGES["supervisor"]


def test_public_pages_show_no_english(officers, cases):
    phrases = english_phrases()
    start = [
        "/",
        "/aspirasi/baru/",
        "/lacak/",
        f"/lacak/{cases['responded'].tracking_code}/",
        f"/lacak/{cases['disputed'].tracking_code}/",
        "/transparansi/",
        f"/transparansi/kecamatan/{KECAMATAN}/",
        "/masuk/",
        "/tidak-ada/",
    ]
    found = crawl(Client(), start, "anonymous", phrases)
    assert not found, "\n".join(found)


def test_the_check_finds_what_was_seen():
    phrases = english_phrases()
    for seen in (
        "41 cases",
        "6 overdue",
        "0 days late",
        "0 days",
        "205 cases in all.",
        "0,0 hours",
    ):
        assert leaks(f"<p>Ada <b>{seen}</b></p>", phrases), seen
    assert leaks("<html><head><title>Not allowed · Aspirasi</title></head></html>", phrases)
    assert not leaks('<p lang="en">6 overdue</p><p>41 laporan, 6 lewat tenggat</p>', phrases)
    assert not leaks("<p>0,0 jam · OPD · 3 hari</p>", phrases)


def test_error_pages_are_indonesian_and_styled(officers):
    client = Client()
    client.force_login(officers["kim"])
    forbidden = client.get("/petugas/pengawasan/", HTTP_ACCEPT_LANGUAGE="id")
    assert forbidden.status_code == 403
    html = forbidden.content.decode()
    assert "Tidak diizinkan" in html and "Not allowed" not in html
    assert 'rel="stylesheet"' in html  # styled like the rest of the site
    missing = Client().get("/tidak-ada/", HTTP_ACCEPT_LANGUAGE="id")
    assert missing.status_code == 404
    assert 'rel="stylesheet"' in missing.content.decode()
    assert "Tidak ditemukan" in missing.content.decode()


def test_the_500_page_needs_no_request_nor_database(officers):
    def refuse(*args, **kwargs):
        raise AssertionError("the 500 page queried the database")

    with connections["default"].execute_wrapper(refuse), translation.override("id"):
        html = render_to_string("500.html")
    assert '<html lang="id"' in html and "<style>" in html  # styled without static files
    assert "Terjadi galat pada server" in html
    assert not leaks(html, english_phrases())
