"""Page weight on a weak link: what each page costs a phone, cold and warm.

    .venv/bin/python bench/page_weight.py --base-url http://127.0.0.1:8150 \
        [--project /path/to/checkout | --tracking-code CODE] [--label before] [--out DIR]

Drives Chromium (Playwright) at phone size (360×740 CSS pixels, device scale 2, touch) over
Chromium's own network emulation (CDP ``Network.emulateNetworkConditions``: 400 kbit/s down,
150 kbit/s up, 400 ms latency by default) against a running server with ``make run``'s demo
data (``manage.py seed_demo``, officers' password ``aspirasi-demo``). Each page is loaded
**cold** in a fresh browser context (empty cache; officers' contexts carry only the session
cookie of a sign-in made beforehand through the request API, which fills no cache), scrolled
to its end so that lazy images load, and followed until the network has been quiet for a
second; then **warm**: the same page opened again in a new tab of the same context.

Recorded per load, from the page's DevTools protocol events: bytes transferred (the sum of
``encodedDataLength`` of ``Network.loadingFinished``, headers included, plus redirect
responses), the bytes of the HTML documents alone, the requests that reached the network and
those answered from the browser's cache (a 304 is a revalidation: the status on the wire,
from ``Network.responseReceivedExtraInfo``), and the navigation timing of the throttled load
(time to usable = the later of the first contentful paint, when the page is shown with its
stylesheet, and ``DOMContentLoaded``, when its deferred scripts have run; and ``load``). Requests a
service worker makes itself come from Playwright's context events: those that fetched what
the worker handed the page count for the page; the others (the worker installing itself and
storing files for offline use, in the background) are shown apart and not counted in the
page's bytes. The scripts a worker imports come without a size: their body is fetched again
outside the browser. 1 KB = 1,000 bytes, as DevTools shows it.

The pages: public (``/``, ``/aspirasi/baru/``, ``/lacak/``, a demo case's tracking page,
``/transparansi/``); officers' (``/petugas/`` and ``/petugas/catat/`` of a KIM operator,
``/petugas/``, ``/petugas/tugas/``, ``/petugas/laporan/`` and a case page of a forum officer,
the task list and a case page of an OPD officer, ``/petugas/pengawasan/`` and
``/petugas/dasbor/`` of the supervisor); and a case with a 4 MB photo: the script generates
a 4032×3024 JPEG (about 4.4 MB), submits it through the public form with JavaScript off (the
file travels as the citizen's phone stored it, unthrottled) for a desa of Kec. Tempeh, then
the forum officer of Tempeh opens its case page and the citizen its tracking page.

The tracking page measured is that of a demo case with a long history: ``--tracking-code``,
or, with ``--project DIR``, picked from that checkout's database (its ``.venv`` and
``manage.py``, the same environment as the server). Without either, the tracking page of the
photo case stands in. Budgets: public pages ≤ 60 KB cold; officers' pages ≤ 150 KB cold and
≤ 15 KB warm; a case page with a 4 MB photo ≤ 250 KB cold (the officer's and the citizen's).

Writes ``<out>/<label>.json`` (every request of every load) and ``<out>/<label>.md`` (the
table, also printed). The server should not limit the few submissions and tracking-page
views of a run: start it with ``ASPIRASI_RATE_SUBMIT=1000/h ASPIRASI_RATE_TRACK=1000/m``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlparse

if TYPE_CHECKING:
    from playwright.sync_api import StorageState, ViewportSize

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "aspirasi-demo"
PHONE: ViewportSize = {"width": 360, "height": 740}
KB = 1000
QUIET_S = 1.0

PUBLIC, OFFICER, PHOTO = "public", "officer", "photo"
BUDGETS = {PUBLIC: (60 * KB, None), OFFICER: (150 * KB, 15 * KB), PHOTO: (250 * KB, None)}
BUDGET_TEXT = {
    PUBLIC: "≤ 60 KB cold",
    OFFICER: "≤ 150 KB cold, ≤ 15 KB warm",
    PHOTO: "≤ 250 KB cold",
}

KIM, FORUM, OPD, SUPERVISOR = "kim.tegalrejo", "forum.tempursari", "dputr.petugas", "pengawas"
# the photo case: Besuk, Kec. Tempeh (no KIM), away from the other officers' lists; the
# forum officer of Tempeh opens it
PHOTO_DESA, PHOTO_OFFICER = "35.08.05.2008", "forum.tempeh"
CASE_NUMBER = re.compile(r"[A-Z]{2,5}-\d{4}-\d{5}")

PICK_CODE = """
from django.db.models import Count
from casework.models import Case
case = (Case.objects.filter(confidentiality="biasa").annotate(n=Count("events"))
        .order_by("-n", "number").first())
print(case.tracking_code if case else "")
"""

NAVIGATION_TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {ttfb: n.responseStart, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,
          fcp: fcp ? fcp.startTime : null, height: document.documentElement.scrollHeight,
          url: location.pathname + location.search};
}"""


@dataclass
class Page:
    name: str
    kind: str  # PUBLIC, OFFICER or PHOTO
    path: str
    user: str | None = None  # None: a citizen without an account


@dataclass
class Load:
    """One load of one page: every request the page's target saw, and its timings."""

    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    redirects: list[dict[str, Any]] = field(default_factory=list)
    worker: list[dict[str, Any]] = field(default_factory=list)
    wire_status: dict[str, int | None] = field(default_factory=dict)
    inflight: set[str] = field(default_factory=set)
    last_activity: float = field(default_factory=time.monotonic)
    timing: dict[str, Any] = field(default_factory=dict)
    bytes_at_load: int = 0

    # CDP event handlers
    def will_be_sent(self, event: dict[str, Any]) -> None:
        rid = event["requestId"]
        if event["request"]["url"].startswith("data:"):
            return
        redirect = event.get("redirectResponse")
        if redirect is not None and rid in self.requests:
            self.redirects.append(
                {
                    "url": redirect["url"],
                    "status": redirect["status"],
                    "bytes": int(redirect.get("encodedDataLength") or 0),
                    "type": self.requests[rid]["type"],
                }
            )
        self.requests[rid] = {
            "url": event["request"]["url"],
            "type": event.get("type", "Other"),
            "status": None,
            "bytes": 0,
            "cache": None,
            "finished": False,
        }
        self.inflight.add(rid)
        self.last_activity = time.monotonic()

    def response(self, event: dict[str, Any]) -> None:
        item = self.requests.get(event["requestId"])
        if item is None:
            return
        resp = event["response"]
        item["status"] = resp["status"]
        item["type"] = event.get("type", item["type"])
        item["cache_control"] = _header(resp.get("headers", {}), "cache-control")
        item["content_encoding"] = _header(resp.get("headers", {}), "content-encoding")
        if resp.get("fromDiskCache"):
            item["cache"] = "disk"
        if resp.get("fromServiceWorker"):
            item["cache"] = "service worker"
        if resp.get("fromPrefetchCache"):
            item["cache"] = "prefetch"

    def extra_info(self, event: dict[str, Any]) -> None:
        # the status on the wire: a revalidated file is a 304 here, a 200 in ``response``
        self.wire_status[event["requestId"]] = event.get("statusCode")

    def served_from_cache(self, event: dict[str, Any]) -> None:
        item = self.requests.get(event["requestId"])
        if item is not None:
            item["cache"] = item["cache"] or "memory"

    def finished(self, event: dict[str, Any]) -> None:
        rid = event["requestId"]
        item = self.requests.get(rid)
        if item is not None:
            item["finished"] = True
            # what a service worker hands the page did not travel: its own fetches are
            # counted apart (``worker``)
            if item["cache"] != "service worker":
                item["bytes"] = int(event.get("encodedDataLength") or 0)
        self.inflight.discard(rid)
        self.last_activity = time.monotonic()

    def failed(self, event: dict[str, Any]) -> None:
        rid = event["requestId"]
        item = self.requests.get(rid)
        if item is not None:
            item["failed"] = event.get("errorText") or "failed"
            item["canceled"] = bool(event.get("canceled"))
        self.inflight.discard(rid)
        self.last_activity = time.monotonic()

    # what it came to
    def _by_worker(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The service worker's own requests: those that fetched what it handed the page,
        and the rest (its installation: the files it stores for later, in the background)."""
        handed = {
            r["url"]: r["type"] for r in self.requests.values() if r["cache"] == "service worker"
        }
        for_page, background = [], []
        for item in self.worker:
            if item["url"] in handed:
                for_page.append({**item, "for": handed[item["url"]]})
            else:
                background.append(item)
        return for_page, background

    def total_bytes(self) -> int:
        """What this page cost: its own requests, and the worker's fetches for them."""
        for_page, _background = self._by_worker()
        return (
            sum(r["bytes"] for r in self.requests.values())
            + sum(r["bytes"] for r in self.redirects)
            + sum(r["bytes"] for r in for_page)
        )

    def background_bytes(self) -> int:
        return sum(r["bytes"] for r in self._by_worker()[1])

    def html_bytes(self) -> int:
        for_page, _background = self._by_worker()
        return (
            sum(r["bytes"] for r in self.requests.values() if r["type"] == "Document")
            + sum(r["bytes"] for r in self.redirects if r["type"] == "Document")
            + sum(r["bytes"] for r in for_page if r["for"] == "Document")
        )

    def network_requests(self) -> int:
        travelled = [
            r for r in self.requests.values() if r["cache"] is None and (r["bytes"] or r["status"])
        ]
        return len(travelled) + len(self.redirects) + len(self._by_worker()[0])

    def cached_requests(self) -> int:
        fetched = {r["url"] for r in self._by_worker()[0]}
        return sum(
            1 for r in self.requests.values() if r["cache"] is not None and r["url"] not in fetched
        )

    def revalidated(self) -> int:
        return sum(1 for r in self.requests.values() if r.get("wire_status") == 304)

    def summary(self) -> dict[str, Any]:
        for rid, item in self.requests.items():
            item["wire_status"] = self.wire_status.get(rid)
        return {
            "bytes": self.total_bytes(),
            "bytes_at_load": self.bytes_at_load,
            "html_bytes": self.html_bytes(),
            "background_bytes": self.background_bytes(),
            "background_requests": len(self._by_worker()[1]),
            "network_requests": self.network_requests(),
            "cached_requests": self.cached_requests(),
            "not_modified": self.revalidated(),
            "statuses": sorted({r["status"] for r in self.requests.values() if r["status"]}),
            **{f"{key}_ms": _ms(self.timing.get(key)) for key in ("ttfb", "fcp", "dcl", "load")},
            "usable_ms": _usable(self.timing),
            "final_path": self.timing.get("url"),
        }

    def detail(self) -> list[dict[str, Any]]:
        for rid, item in self.requests.items():
            item["wire_status"] = self.wire_status.get(rid)
        rows = [
            {k: v for k, v in r.items() if k != "finished"}
            for r in [*self.redirects, *self.requests.values()]
        ]
        return rows + [{**r, "by": "service worker"} for r in self.worker]


def _header(headers: dict[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return None


def _usable(timing: dict[str, Any]) -> float | None:
    """Time to usable: the page is shown with its stylesheet (first contentful paint) and its
    scripts have run (DOMContentLoaded), whichever comes later; the load event when no paint
    was recorded."""
    dcl, fcp = _ms(timing.get("dcl")), _ms(timing.get("fcp"))
    if dcl is None:
        return None
    if fcp is None:
        return _ms(timing.get("load"))
    return max(dcl, fcp)


def _ms(value: Any) -> float | None:
    return None if value in (None, 0) else round(float(value), 1)


# ----------------------------------------------------------------------------- the browser


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        from playwright.sync_api import sync_playwright

        self.args = args
        self.base = args.base_url.rstrip("/") + "/"
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(
            executable_path=args.chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        self.sessions: dict[str, StorageState] = {}

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()

    def url(self, path: str) -> str:
        return urljoin(self.base, path.lstrip("/"))

    def context(self, storage_state: StorageState | None = None, **options: Any) -> Any:
        return self.browser.new_context(
            viewport=PHONE,
            screen=PHONE,
            device_scale_factor=self.args.scale,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            storage_state=storage_state,
            **options,
        )

    # -- set-up, unthrottled
    def sign_in(self, username: str) -> StorageState:
        """The cookies of a signed-in officer (nothing cached by the browser)."""
        if username in self.sessions:
            return self.sessions[username]
        context = self.context()
        try:
            request = context.request
            page = request.get(self.url("/masuk/")).text()
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            if found is None:
                raise SystemExit("no CSRF token on /masuk/")
            answer = request.post(
                self.url("/masuk/"),
                form={
                    "csrfmiddlewaretoken": found.group(1),
                    "username": username,
                    "password": self.args.password,
                    "next": "/petugas/",
                },
                headers={"Referer": self.url("/masuk/")},
            )
            if urlparse(answer.url).path.startswith("/masuk/"):
                raise SystemExit(f"sign-in of {username} failed ({answer.status})")
            state = context.storage_state()
        finally:
            context.close()
        self.sessions[username] = state
        return state

    def first_case(self, username: str, path: str) -> str | None:
        """The first case number linked from an officer's list."""
        context = self.context(self.sign_in(username))
        try:
            text = context.request.get(self.url(path)).text()
        finally:
            context.close()
        found = re.search(r"/petugas/laporan/([A-Z]{2,5}-\d{4}-\d{5})/", text)
        return found.group(1) if found else None

    def submit_photo_case(self, photo: Path) -> tuple[str, str]:
        """Submit a case with the photo through the public form, JavaScript off (the file
        is sent as it is); returns (case number, tracking code)."""
        context = self.context(java_script_enabled=False)
        try:
            page = context.new_page()
            page.goto(self.url("/aspirasi/baru/"))
            form = page.locator("form:has(input[name=attachments])")
            category = form.locator("select[name=category] option:not([value=''])").first
            form.locator("select[name=category]").select_option(category.get_attribute("value"))
            form.locator("input[name=title]").fill("Jalan berlubang di depan balai desa")
            form.locator("textarea[name=description]").fill(
                "Lubang besar di jalan desa, berbahaya bagi pengendara motor pada malam hari. "
                "Foto terlampir."
            )
            form.locator("select[name=desa]").select_option(PHOTO_DESA)
            form.locator("input[name=attachments]").set_input_files(str(photo))
            with page.expect_navigation(timeout=120_000):
                form.locator("button[type=submit], input[type=submit]").last.click()
            path = urlparse(page.url).path
            found = re.search(r"/aspirasi/terkirim/([^/]+)/", path)
            if found is None:
                raise SystemExit(f"the photo case was not accepted ({page.url})")
            number = CASE_NUMBER.search(page.content())
            if number is None:
                raise SystemExit("no case number on the receipt")
            return number.group(0), found.group(1)
        finally:
            context.close()

    # -- measured, throttled
    def measure(self, page_spec: Page) -> dict[str, Any]:
        state = self.sign_in(page_spec.user) if page_spec.user else None
        context = self.context(state)
        try:
            cold = self.load(context, page_spec.path)
            warm = self.load(context, page_spec.path)
        finally:
            context.close()
        return {"cold": cold, "warm": warm}

    def load(self, context: Any, path: str) -> dict[str, Any]:
        record = Load()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", record.will_be_sent)
        cdp.on("Network.responseReceived", record.response)
        cdp.on("Network.responseReceivedExtraInfo", record.extra_info)
        cdp.on("Network.requestServedFromCache", record.served_from_cache)
        cdp.on("Network.loadingFinished", record.finished)
        cdp.on("Network.loadingFailed", record.failed)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        if not self.args.no_throttle:
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": self.args.latency_ms,
                    "downloadThroughput": self.args.down_kbps * 1000 / 8,
                    "uploadThroughput": self.args.up_kbps * 1000 / 8,
                    "connectionType": "cellular3g",
                },
            )

        def worker_started(request: Any) -> None:
            if getattr(request, "service_worker", None) is not None:
                record.inflight.add(f"worker {id(request)}")
                record.last_activity = time.monotonic()

        def worker_failed(request: Any) -> None:
            record.inflight.discard(f"worker {id(request)}")

        def by_worker(request: Any) -> None:
            if getattr(request, "service_worker", None) is None:
                return
            record.inflight.discard(f"worker {id(request)}")
            sizes = request.sizes()
            response = request.response()
            record.worker.append(
                {
                    "url": request.url,
                    "type": request.resource_type,
                    "status": response.status if response else None,
                    "bytes": max(0, sizes["responseBodySize"])
                    + max(0, sizes["responseHeadersSize"]),
                    "cache": None,
                }
            )
            if sizes["responseBodySize"] <= 0 and request.resource_type != "fetch":
                # the worker's own script and what it imports come without a body size:
                # measured again below, as the server sends them
                record.worker[-1]["estimated"] = True
            record.last_activity = time.monotonic()

        context.on("request", worker_started)
        context.on("requestfinished", by_worker)
        context.on("requestfailed", worker_failed)
        try:
            page.goto(self.url(path), wait_until="load", timeout=self.args.timeout * 1000)
            record.bytes_at_load = record.total_bytes()
            record.timing = self._timing(page)
            height = int(record.timing.get("height") or 0)
            for y in range(0, height + PHONE["height"], PHONE["height"] // 2):
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_timeout(60)
            self._settle(page, record)
        finally:
            context.remove_listener("request", worker_started)
            context.remove_listener("requestfinished", by_worker)
            context.remove_listener("requestfailed", worker_failed)
        page.close()
        for item in record.worker:
            if item.get("estimated") and item["status"] == 200:
                item["bytes"] += wire_size(item["url"])
        return {"summary": record.summary(), "requests": record.detail()}

    def _timing(self, page: Any) -> dict[str, Any]:
        """Navigation timing once the load event has ended and the first contentful paint
        is known (it is missing, rarely, when nothing was painted within 3 s of load)."""
        timing: dict[str, Any] = {}
        for attempt in range(80):
            timing = page.evaluate(NAVIGATION_TIMING)
            if timing.get("load") and (timing.get("fcp") or attempt >= 30):
                break
            page.wait_for_timeout(100)
        return timing

    def _settle(self, page: Any, record: Load) -> None:
        """Wait until no request has been in flight for QUIET_S (at most --timeout)."""
        deadline = time.monotonic() + self.args.timeout
        while time.monotonic() < deadline:
            page.wait_for_timeout(200)
            if not record.inflight and time.monotonic() - record.last_activity >= QUIET_S:
                return
        print(f"  still loading after {self.args.timeout} s: {len(record.inflight)} requests")


# ----------------------------------------------------------------------------- the run


def wire_size(url: str) -> int:
    """The body of ``url`` as the server sends it to Chromium (compressed where it would
    be), unthrottled and outside the browser."""
    parts = urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)
    try:
        conn.request(
            "GET",
            parts.path + (f"?{parts.query}" if parts.query else ""),
            headers={"Accept-Encoding": "gzip, deflate, br, zstd"},
        )
        return len(conn.getresponse().read())
    finally:
        conn.close()


def make_photo(path: Path) -> int:
    """A phone-sized JPEG (4032×3024) of about 4.4 MB: noise over a gradient, as
    incompressible as a photo of a street, and still about 4.2 MB once the server has
    encoded its pixels again (quality 85)."""
    from PIL import Image

    width, height = 4032, 3024
    rng = random.Random(2026)
    noise = Image.frombytes(
        "RGB", (width // 2, height // 2), rng.randbytes((width // 2) * (height // 2) * 3)
    ).resize((width, height), Image.Resampling.BILINEAR)
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    Image.blend(base, noise, 0.55).save(out, "JPEG", quality=85, optimize=True)
    path.write_bytes(out.getvalue())
    return len(out.getvalue())


def pick_tracking_code(project: Path) -> str:
    python = project / ".venv" / "bin" / "python"
    result = subprocess.run(
        [str(python), "manage.py", "shell", "-c", PICK_CODE],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    if not lines or not re.fullmatch(r"[0-9A-Z]{8,16}", lines[-1]):
        raise SystemExit(f"no tracking code from {project}: {result.stdout}{result.stderr}")
    return lines[-1]


def pages(bench: Bench, tracking_code: str | None) -> list[Page]:
    found = [
        Page("home", PUBLIC, "/"),
        Page("submit an aspiration", PUBLIC, "/aspirasi/baru/"),
        Page("track (enter a code)", PUBLIC, "/lacak/"),
    ]
    if tracking_code:
        found.append(Page("tracking page of a demo case", PUBLIC, f"/lacak/{tracking_code}/"))
    found += [
        Page("transparency", PUBLIC, "/transparansi/"),
        Page("home (KIM operator)", OFFICER, "/petugas/", KIM),
        Page("record an aspiration (KIM)", OFFICER, "/petugas/catat/", KIM),
        Page("home (forum officer)", OFFICER, "/petugas/", FORUM),
        Page("tasks (forum officer)", OFFICER, "/petugas/tugas/", FORUM),
        Page("cases (forum officer)", OFFICER, "/petugas/laporan/", FORUM),
    ]
    forum_case = bench.first_case(FORUM, "/petugas/laporan/")
    if forum_case:
        found.append(
            Page("case page (forum officer)", OFFICER, f"/petugas/laporan/{forum_case}/", FORUM)
        )
    found.append(Page("tasks (OPD officer)", OFFICER, "/petugas/tugas/", OPD))
    opd_case = bench.first_case(OPD, "/petugas/laporan/")
    if opd_case:
        found.append(Page("case page (OPD officer)", OFFICER, f"/petugas/laporan/{opd_case}/", OPD))
    found += [
        Page("review (supervisor)", OFFICER, "/petugas/pengawasan/", SUPERVISOR),
        Page("dashboard (supervisor)", OFFICER, "/petugas/dasbor/", SUPERVISOR),
    ]
    return found


def median_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    first = dict(runs[0])
    for key, value in first.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values = [run[key] for run in runs if run.get(key) is not None]
            if values:
                first[key] = statistics.median(values)
    return first


def verdict(kind: str, cold: dict[str, Any], warm: dict[str, Any]) -> tuple[bool, str]:
    cold_max, warm_max = BUDGETS[kind]
    misses = []
    if cold["bytes"] > cold_max:
        misses.append("cold")
    if warm_max is not None and warm["bytes"] > warm_max:
        misses.append("warm")
    return not misses, "pass" if not misses else "**over** (" + ", ".join(misses) + ")"


def requests(load: dict[str, Any]) -> str:
    """``4 (3× 304, 2 cached)``: what reached the network, what only revalidated, what the
    browser answered itself."""
    notes = []
    if load["not_modified"]:
        notes.append(f"{load['not_modified']}× 304")
    if load["cached_requests"]:
        notes.append(f"{load['cached_requests']} cached")
    return f"{load['network_requests']}" + (f" ({', '.join(notes)})" if notes else "")


def background(load: dict[str, Any]) -> str:
    if not load["background_requests"]:
        return "–"
    return f"{kb(load['background_bytes'])} ({load['background_requests']})"


def kb(value: float) -> str:
    return f"{value / KB:,.1f}"


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value / 1000:.1f}"


def markdown(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"Page weight: {meta['label']} — {meta['base_url']}, {meta['started']} "
        f"({meta['link']}; {meta['viewport']}).",
        "",
        "| page | who | cold KB | HTML KB | requests | usable s | load s | + worker KB "
        "| warm KB | warm HTML KB | warm requests | warm usable s | budget | |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| --- | --- |",
    ]
    for row in results:
        cold, warm = row["cold"], row["warm"]
        lines.append(
            f"| {row['name']} | {row['user'] or 'citizen'} | {kb(cold['bytes'])} "
            f"| {kb(cold['html_bytes'])} | {cold['network_requests']} "
            f"| {seconds(cold['usable_ms'])} | {seconds(cold['load_ms'])} "
            f"| {background(cold)} | {kb(warm['bytes'])} | {kb(warm['html_bytes'])} "
            f"| {requests(warm)} "
            f"| {seconds(warm['usable_ms'])} | {BUDGET_TEXT[row['kind']]} | {row['verdict']} |"
        )
    held = sum(1 for row in results if row["pass"])
    lines += [
        "",
        f"{held} of {len(results)} pages within budget. KB = 1,000 bytes transferred "
        "(headers included). Cold: a fresh browser context; warm: the same page again in "
        "the same context. Usable = the later of the first contentful paint (the page shown "
        "with its stylesheet) and DOMContentLoaded (its scripts run); load = the load event; "
        "both from the start of the navigation on the throttled link. Requests: those that reached the "
        "network, of them `304` revalidated only; `cached`: answered by the browser or its "
        "service worker without a request. + worker KB: what a service worker fetched in the "
        "background on the cold load (installing itself and the files it keeps for offline "
        "use; number of requests in brackets), not counted in cold KB.",
    ]
    if meta.get("photo"):
        lines.append(
            f"Photo case {meta['photo']['number']}: a {kb(meta['photo']['bytes'])} KB JPEG "
            "(4032×3024) submitted through the public form."
        )
    return "\n".join(lines) + "\n"


def compare(before_path: Path, after_path: Path) -> str:
    """The before/after table of two runs' JSON, page by page."""
    before = {row["name"]: row for row in json.loads(before_path.read_text())["pages"]}
    after = json.loads(after_path.read_text())
    lines = [
        "| page | budget | before: cold KB | warm KB | usable s | after: cold KB | + worker KB "
        "| warm KB | usable s | budget held |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in after["pages"]:
        old = before.get(row["name"])
        was = (
            f"{kb(old['cold']['bytes'])} | {kb(old['warm']['bytes'])} "
            f"| {seconds(old['cold']['usable_ms'])}"
            if old
            else "– | – | –"
        )
        held = "yes" if row["pass"] else row["verdict"]
        if old is not None:
            held += " (before: " + ("yes" if old["pass"] else "no") + ")"
        lines.append(
            f"| {row['name']} | {BUDGET_TEXT[row['kind']]} | {was} "
            f"| {kb(row['cold']['bytes'])} | {background(row['cold'])} "
            f"| {kb(row['warm']['bytes'])} | {seconds(row['cold']['usable_ms'])} | {held} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--tracking-code", help="a demo case's tracking code")
    parser.add_argument(
        "--project", type=Path, help="the server's checkout: picks the tracking code from its DB"
    )
    parser.add_argument("--label", default="page-weight")
    parser.add_argument("--out", type=Path, help="default bench/results/<today>-page-weight")
    parser.add_argument(
        "--chromium", default=os.environ.get("ASPIRASI_CHROMIUM", "/usr/bin/chromium")
    )
    parser.add_argument("--down-kbps", type=float, default=400)
    parser.add_argument("--up-kbps", type=float, default=150)
    parser.add_argument("--latency-ms", type=float, default=400)
    parser.add_argument("--no-throttle", action="store_true")
    parser.add_argument("--scale", type=float, default=2, help="device pixel ratio")
    parser.add_argument("--repeat", type=int, default=1, help="loads per page (medians)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds a load may take")
    parser.add_argument("--no-photo", action="store_true", help="leave out the photo case")
    parser.add_argument("--only", help="measure only pages whose name contains this")
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is missed")
    parser.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("BEFORE.json", "AFTER.json"),
        help="print the before/after table of two runs and stop",
    )
    args = parser.parse_args()
    if args.compare:
        print(compare(*args.compare), end="")
        return

    started = dt.datetime.now(dt.UTC)
    out = args.out or ROOT / "bench" / "results" / f"{started:%Y-%m-%d}-page-weight"
    out.mkdir(parents=True, exist_ok=True)
    code = args.tracking_code
    if code is None and args.project is not None:
        code = pick_tracking_code(args.project)
    link = (
        "no throttling"
        if args.no_throttle
        else f"{args.down_kbps:g}/{args.up_kbps:g} kbit/s, {args.latency_ms:g} ms latency"
    )
    meta: dict[str, Any] = {
        "label": args.label,
        "base_url": args.base_url,
        "started": f"{started:%Y-%m-%d %H:%M} UTC",
        "link": link,
        "viewport": f"{PHONE['width']}×{PHONE['height']}, device scale {args.scale:g}",
        "tracking_code": code,
        "kb": KB,
    }
    bench = Bench(args)
    try:
        todo = pages(bench, code)
        if not args.no_photo:
            with tempfile.TemporaryDirectory() as folder:
                photo = Path(folder) / "IMG_20261201_081500.jpg"
                size = make_photo(photo)
                number, photo_code = bench.submit_photo_case(photo)
            meta["photo"] = {"number": number, "tracking_code": photo_code, "bytes": size}
            print(f"photo case {number} ({size:,} bytes)")
            if code is None:
                todo.insert(3, Page("tracking page (photo case)", PUBLIC, f"/lacak/{photo_code}/"))
            todo += [
                Page(
                    "case page with a 4 MB photo",
                    PHOTO,
                    f"/petugas/laporan/{number}/",
                    PHOTO_OFFICER,
                ),
                Page("tracking page with a 4 MB photo", PHOTO, f"/lacak/{photo_code}/"),
            ]
        if args.only:
            todo = [p for p in todo if args.only in p.name]
        results = []
        for spec in todo:
            runs = [bench.measure(spec) for _ in range(args.repeat)]
            cold = median_summary([run["cold"]["summary"] for run in runs])
            warm = median_summary([run["warm"]["summary"] for run in runs])
            ok, text = verdict(spec.kind, cold, warm)
            results.append(
                {
                    "name": spec.name,
                    "kind": spec.kind,
                    "user": spec.user,
                    "path": spec.path,
                    "cold": cold,
                    "warm": warm,
                    "pass": ok,
                    "verdict": text,
                    "runs": runs,
                }
            )
            print(
                f"{spec.name:34} cold {kb(cold['bytes']):>9} KB {cold['network_requests']:>3} req "
                f"usable {seconds(cold['usable_ms']):>5} s | warm {kb(warm['bytes']):>7} KB "
                f"{warm['network_requests']:>3} req | {text}",
                flush=True,
            )
    finally:
        bench.close()
    table = markdown(results, meta)
    (out / f"{args.label}.json").write_text(
        json.dumps({"meta": meta, "pages": results}, indent=1, ensure_ascii=False) + "\n"
    )
    (out / f"{args.label}.md").write_text(table)
    print()
    print(table)
    print(f"written: {out / (args.label + '.json')}, {out / (args.label + '.md')}")
    if args.check and not all(row["pass"] for row in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
