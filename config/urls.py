from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("casework.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("casework.public.urls")),
    path("", include("casework.web.urls")),
    path("", RedirectView.as_view(pattern_name="public:home", permanent=False)),
]
