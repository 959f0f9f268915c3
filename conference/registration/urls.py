"""The URLs of registration: the conference page, registering and one's registration; the CAC's set-up,
entitlement and payments; branch delegates; the check-in desk and credentials; the CAC's reports.
"""

from django.urls import URLPattern, path

from conference.registration.views import delegates, desk, registration, reports

urlpatterns: list[URLPattern] = [
    # registration
    path("conference/", registration.conference_index, name="index"),
    path("conference/new/", registration.setup_add, name="setup_add"),
    path(
        "conference/registrations/<int:pk>/change/",
        registration.registration_change,
        name="registration_change",
    ),
    path(
        "conference/registrations/<int:pk>/cancel/",
        registration.registration_cancel,
        name="registration_cancel",
    ),
    path("conference/registrations/<int:pk>/payment/", registration.record_payment, name="record_payment"),
    path("conference/<slug:slug>/", registration.conference_detail, name="detail"),
    path("conference/<slug:slug>/register/", registration.register, name="register"),
    path("conference/<slug:slug>/my-registration/", registration.my_registration, name="my_registration"),
    path("conference/<slug:slug>/setup/", registration.setup_edit, name="setup_edit"),
    path("conference/<slug:slug>/invite/", registration.invite, name="invite"),
    path("conference/<slug:slug>/entitlement/", registration.entitlement, name="entitlement"),
    path("conference/<slug:slug>/entitlement/snapshot/", registration.take_snapshot, name="take_snapshot"),
    path(
        "conference/<slug:slug>/entitlement/exception/", registration.grant_exception, name="grant_exception"
    ),
    path("conference/<slug:slug>/payments/", registration.outstanding, name="outstanding"),
    # delegates
    path("conference/<slug:slug>/delegates/", delegates.delegates, name="delegates"),
    path(
        "conference/<slug:slug>/delegates/<int:branch_pk>/",
        delegates.branch_delegates,
        name="branch_delegates",
    ),
    path(
        "conference/<slug:slug>/delegates/<int:branch_pk>/<int:pk>/remove/",
        delegates.remove_delegate,
        name="remove_delegate",
    ),
    # desk
    path("conference/<slug:slug>/desk/", desk.desk, name="desk"),
    path("conference/<slug:slug>/desk/counts/", desk.desk_counts, name="desk_counts"),
    path("conference/<slug:slug>/desk/<int:pk>/", desk.desk_person, name="desk_person"),
    path("conference/<slug:slug>/desk/<int:pk>/badge/", desk.desk_badge, name="desk_badge"),
    # reports
    path("conference/<slug:slug>/cac/", reports.cac, name="cac"),
    path("conference/<slug:slug>/cac/branches.csv", reports.cac_branches_csv, name="cac_branches_csv"),
    path("conference/<slug:slug>/cac/bands.csv", reports.cac_bands_csv, name="cac_bands_csv"),
    path("conference/<slug:slug>/cac/outstanding.csv", reports.cac_owing_csv, name="cac_owing_csv"),
    path("conference/<slug:slug>/cac/access/", reports.cac_needs, {"kind": "access"}, name="cac_access"),
    path(
        "conference/<slug:slug>/cac/access.csv",
        reports.cac_needs_csv,
        {"kind": "access"},
        name="cac_access_csv",
    ),
    path("conference/<slug:slug>/cac/diet/", reports.cac_needs, {"kind": "diet"}, name="cac_diet"),
    path("conference/<slug:slug>/cac/diet.csv", reports.cac_needs_csv, {"kind": "diet"}, name="cac_diet_csv"),
    path("conference/<slug:slug>/cac/creche/", reports.cac_needs, {"kind": "creche"}, name="cac_creche"),
    path(
        "conference/<slug:slug>/cac/creche.csv",
        reports.cac_needs_csv,
        {"kind": "creche"},
        name="cac_creche_csv",
    ),
    path("conference/<slug:slug>/cac/accommodation/", reports.cac_accommodation, name="cac_accommodation"),
    path(
        "conference/<slug:slug>/cac/accommodation.csv",
        reports.cac_accommodation_csv,
        name="cac_accommodation_csv",
    ),
    path(
        "conference/<slug:slug>/cac/accommodation/<int:pk>/unmatch/", reports.cac_unmatch, name="cac_unmatch"
    ),
    path("conference/<slug:slug>/cac/duties/", reports.cac_duties, name="cac_duties"),
    path(
        "conference/<slug:slug>/cac/duties/<int:pk>/remove/", reports.cac_duty_remove, name="cac_duty_remove"
    ),
]
