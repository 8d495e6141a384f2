"""REST API v1, mounted at ``/api/v1/``."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import inbound, views
from .errors import not_found

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # reference data (public)
    path("categories/", views.CategoryListView.as_view(), name="categories"),
    path("opds/", views.OpdListView.as_view(), name="opds"),
    path("regions/", views.RegionListView.as_view(), name="regions"),
    # cases
    path("cases/", views.CaseListView.as_view(), name="cases"),
    path("cases/<str:number>/", views.CaseDetailView.as_view(), name="case"),
    *(
        path(f"cases/<str:number>/actions/{action}/", view.as_view(), name=f"case-{action}")
        for action, view in views.OFFICER_ACTION_VIEWS.items()
    ),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("escalations/", views.EscalationListView.as_view(), name="escalations"),
    path(
        "escalations/<int:pk>/acknowledge/",
        views.EscalationAcknowledgeView.as_view(),
        name="escalation-acknowledge",
    ),
    # public tracking by the reporter's code
    path("track/resend/", views.ResendLinkView.as_view(), name="resend-link"),
    path("track/<str:code>/", views.TrackView.as_view(), name="track"),
    *(
        path(f"track/<str:code>/actions/{action}/", view.as_view(), name=f"track-{action}")
        for action, view in views.CITIZEN_ACTION_VIEWS.items()
    ),
    # messages received by the SMS and WhatsApp gateways (signed by the gateway)
    re_path(
        r"^inbound/(?P<channel>sms|whatsapp)/$",
        inbound.InboundMessageView.as_view(),
        name="inbound",
    ),
    # anything else under the API, an unknown action included: a JSON 404
    re_path(r"^.*$", not_found, name="not-found"),
]
