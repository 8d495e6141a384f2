"""URLs of the officers' app, under /petugas/ (sign-in at /masuk/)."""

from django.urls import path

from .views import cases, dashboard, home, intake, queues, supervision

app_name = "web"

urlpatterns = [
    path("masuk/", home.LoginView.as_view(), name="login"),
    path("keluar/", home.LogoutView.as_view(), name="logout"),
    path("petugas/", home.home, name="home"),
    path("petugas/tugas/", queues.tasks, name="tasks"),
    path("petugas/tugas/massal/", queues.bulk, name="bulk"),
    path("petugas/tugas/<str:number>/ambil/", queues.claim_and_open, name="claim-open"),
    *cases.urlpatterns,
    *intake.urlpatterns,
    *supervision.urlpatterns,
    *dashboard.urlpatterns,
]
