"""The installable app: the web app manifest and the service worker, both at the site's root.

The service worker keeps the public form, the KIM intake page and the tracking pages already
seen for use without signal, and sends submissions made offline when the connection returns
(``casework/static/web/sw.js``, ``offline.js``). It is served from ``/sw.js`` so that its
scope covers the whole site; the view puts in front of the static file what it needs from the
server: the URLs of the files it keeps (hashed names where the storage hashes them), of the
pages it handles, and a version that changes with any of them, so that browsers install the
new worker after a deployment.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _

SOURCE = "web/sw.js"
WORKBOX = "vendor/workbox-7.4.1/workbox-{}.prod.js"
WORKBOX_MODULES = ("core", "routing", "strategies", "expiration", "cacheable-response")
# what an offline public page needs besides its HTML, kept when the worker installs
KEPT_FILES = (
    "public/public.css",
    "web/offline.js",
    "web/favicon.svg",
    "web/icons/icon-192.png",
)
# what the officers' intake page needs besides, kept only once an officer's page is kept: a
# citizen's first visit does not pay for the officers' stylesheet and htmx
OFFICER_FILES = (
    "web/app.css",
    "vendor/htmx-2.0.8.min.js",
)
THEME = "#0b5c8e"  # --brand of public.css and app.css
BACKGROUND = "#f6f8fa"  # --bg


def _read(name: str) -> bytes:
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(name)
    return Path(str(found)).read_bytes()


def worker_config() -> dict[str, object]:
    """What the worker reads from the server; the login page's path tells it that nobody is
    signed in on the officers' side any more."""
    return {
        "imports": [static(WORKBOX.format(module)) for module in WORKBOX_MODULES],
        "files": [static(name) for name in KEPT_FILES],
        "officer_files": [static(name) for name in OFFICER_FILES],
        "forms": [reverse("public:home"), reverse("public:submit")],
        "officer": [reverse("web:intake")],
        "tracking": ["/lacak/", "/aspirasi/terkirim/"],
        "login": reverse("web:login"),
        "static": "/" + settings.STATIC_URL.lstrip("/"),
    }


def service_worker(request: HttpRequest) -> HttpResponse:
    config = worker_config()
    source = _read(SOURCE)
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    digest.update(source)
    for name in (*KEPT_FILES, *OFFICER_FILES):
        digest.update(_read(name))
    version = digest.hexdigest()[:16]
    config["version"] = version
    body = b"self.ASPIRASI = %s;\n%s" % (json.dumps(config).encode(), source)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["ETag"] = f'"{version}"'
    patch_cache_control(response, no_cache=True)
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, in the site's language (Bahasa Indonesia)."""
    with translation.override(settings.LANGUAGE_CODE):
        data = {
            "name": "Aspirasi",
            "short_name": "Aspirasi",
            "description": _(
                "Aspirations of citizens to the kabupaten government, through the village KIM."
            ),
            "lang": settings.LANGUAGE_CODE,
            "dir": "ltr",
            "start_url": reverse("public:home"),
            "scope": "/",
            "display": "standalone",
            "theme_color": THEME,
            "background_color": BACKGROUND,
            "icons": [
                {"src": static("web/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("web/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("web/icons/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
            "shortcuts": [
                {"name": _("Submit an aspiration"), "url": reverse("public:submit")},
                {"name": _("Record an aspiration"), "url": reverse("web:intake")},
                {"name": _("Track"), "url": reverse("public:track")},
            ],
        }
    response = JsonResponse(data, content_type="application/manifest+json")
    patch_cache_control(response, public=True, max_age=3600)
    return response
