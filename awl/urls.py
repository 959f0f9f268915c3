from django.contrib import admin
from django.urls import include, path

from awl import unsubscribe, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("bench/baseline", views.bench_baseline, name="bench_baseline"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    path("", include("committees.urls")),
    path("", include("dayschools.urls")),
    path("", include("conference.urls")),
]
