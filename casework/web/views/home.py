"""Sign-in, sign-out and the home page of each role."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from casework import reports, selectors
from casework.models import MANAGER_ROLES

from ..forms import LoginForm
from .common import OfficerRequest, officer_required, page_context


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"


@officer_required
def home(request: OfficerRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    mine = selectors.tasks_for(user, "mine")
    queue = selectors.tasks_for(user, "queue")
    context = page_context(
        request,
        "home",
        mine_count=mine.count(),
        mine_overdue=mine.filter(due_at__lt=now).count(),
        queue_count=queue.count(),
        queue_overdue=queue.filter(due_at__lt=now).count(),
        escalations_open=(
            reports.escalations_for(user, now=now, state="open").count()  # escalated tasks
            if user.role in MANAGER_ROLES
            else None
        ),
    )
    return render(request, "web/home.html", context)
