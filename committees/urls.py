from django.urls import path

from committees import views

app_name = "committees"
urlpatterns = [
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<slug:slug>/", views.committee_detail, name="committee_detail"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("apologies/<str:token>/", views.apology_link, name="apology_link"),
]
