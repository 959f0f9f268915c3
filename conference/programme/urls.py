"""The URLs of programme: the timetable and the papers."""

from django.urls import URLPattern, path

from conference.programme import views

urlpatterns: list[URLPattern] = [
    path("conference/<slug:slug>/timetable/", views.timetable, name="timetable"),
    path("conference/<slug:slug>/documents/", views.documents, name="documents"),
    path(
        "conference/<slug:slug>/documents/<int:pk>/file/", views.document_download, name="document_download"
    ),
    path("conference/<slug:slug>/programme/", views.programme_manage, name="programme_manage"),
    path("conference/<slug:slug>/programme/sessions/add/", views.session_add, name="session_add"),
    path("conference/<slug:slug>/programme/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path(
        "conference/<slug:slug>/programme/sessions/<int:pk>/delete/",
        views.session_delete,
        name="session_delete",
    ),
    path("conference/<slug:slug>/programme/documents/add/", views.document_add, name="document_add"),
    path(
        "conference/<slug:slug>/programme/documents/<int:pk>/edit/", views.document_edit, name="document_edit"
    ),
    path(
        "conference/<slug:slug>/programme/documents/<int:pk>/delete/",
        views.document_delete,
        name="document_delete",
    ),
]
