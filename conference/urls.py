"""The conference app's URLs, one URLconf per area, all in the ``conference`` namespace.

The order is kept: a literal path such as ``conference/new/`` must come before a pattern that would
also match it (``conference/<slug:slug>/``).
"""

from django.urls import include, path

app_name = "conference"
urlpatterns = [
    path("", include("conference.registration.urls")),
    path("", include("conference.programme.urls")),
    path("", include("conference.business.urls")),
    path("", include("conference.elections.urls")),
]
