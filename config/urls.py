from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView

from . import pwa


@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask every site for /favicon.ico: the static icon answers (a day's redirect to
    the file the static storage names, which whitenoise serves with its long cache)."""
    return HttpResponseRedirect(static("web/favicon.ico"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("casework.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("casework.public.urls")),
    path("", include("casework.web.urls")),
    path("", RedirectView.as_view(pattern_name="public:home", permanent=False)),
]
