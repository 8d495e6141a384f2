"""URLs of the public pages, in Indonesian like the officers' (/masuk/, /petugas/)."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("aspirasi/baru/", views.submit, name="submit"),
    path("aspirasi/terkirim/<str:code>/", views.submitted, name="submitted"),
    path("lacak/", views.track, name="track"),
    path("lacak/kirim-ulang/", views.resend, name="resend"),
    path("lacak/<str:code>/", views.case_page, name="case"),
    path("lacak/<str:code>/aksi/<str:action>/", views.citizen_action, name="action"),
    path("lacak/<str:code>/lampiran/<int:pk>/", views.attachment, name="attachment"),
    path("transparansi/", views.transparency_page, name="transparency"),
    path("transparansi/kecamatan/<str:code>/", views.kecamatan_page, name="kecamatan"),
]
