from django.urls import path

from committees import feed_views, meeting_views, record_views, views

app_name = "committees"
urlpatterns = [
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<slug:slug>/", views.committee_detail, name="committee_detail"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("apologies/<str:token>/", views.apology_link, name="apology_link"),
    # Secretaries: scheduling, the agenda and its papers (meeting_views).
    *meeting_views.urlpatterns,
    # On the day and after: apologies, attendance and quorum, minutes, decisions, action points.
    *record_views.urlpatterns,
    # Calendar feeds (feed_views).
    *feed_views.urlpatterns,
]
