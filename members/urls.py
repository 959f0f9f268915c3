from django.urls import path

from members import consent_views, office_views, views
from members.import_views import import_preview, import_upload

app_name = "members"
urlpatterns = [
    # A member's own membership
    path("join/", views.apply, name="apply"),
    path("membership/", views.my_membership, name="my_membership"),
    path("membership/edit/", views.edit_my_details, name="edit_my_details"),
    path("membership/export.json", views.export_my_data, name="export_my_data"),
    path("membership/resign/", views.resign, name="resign"),
    # Branch lists
    path("branches/<slug:slug>/members/", views.branch_members, name="branch_members"),
    path("branches/<slug:slug>/members.csv", views.branch_members_csv, name="branch_members_csv"),
    # Applications
    path("applications/", views.application_queue, name="application_queue"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    # Officers' view of a member
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/payments/new/", views.record_payment, name="record_payment"),
    path("members/<int:pk>/status/", views.change_status, name="change_status"),
    path("members/<int:pk>/erase/", views.erase_member, name="erase_member"),
    # Contacts
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/consents/", consent_views.contact_consents, name="contact_consents"),
    path("contacts/<int:pk>/erase/", views.erase_contact, name="erase_contact"),
    # National office
    path("office/retention/", office_views.retention, name="retention"),
    path("office/audit/", views.audit, name="audit"),
    path("office/people/", office_views.person_data, name="person_data"),
    path("office/import/", import_upload, name="import_upload"),
    path("office/import/<int:pk>/", import_preview, name="import_preview"),
]
