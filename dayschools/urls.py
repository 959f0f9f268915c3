from django.urls import path

from dayschools import organiser_views, public_views, report_views

app_name = "dayschools"
urlpatterns = [
    # Public listing, booking (members and guests), a booking's own link (public_views).
    path("dayschools/", public_views.event_list, name="event_list"),
    path("dayschools/events/<int:pk>/", public_views.event_detail, name="event_detail"),
    path("dayschools/events/<int:pk>/book/", public_views.book, name="book"),
    path("dayschools/events/<int:pk>/book/member/", public_views.book_member, name="book_member"),
    path("dayschools/events/<int:pk>/booked/", public_views.booked, name="booked"),
    path("dayschools/booking/<str:token>/", public_views.booking_link, name="booking_link"),
    path("dayschools/booking/<str:token>/cancel/", public_views.booking_cancel, name="booking_cancel"),
    path("dayschools/booking/<str:token>/claim/", public_views.booking_claim, name="booking_claim"),
    path("dayschools/my-bookings/", public_views.my_bookings, name="my_bookings"),
    # Organisers: series, schools, events, workshops, the door list (organiser_views).
    path("dayschools/organise/", organiser_views.organise, name="organise"),
    path("dayschools/organise/series/add/", organiser_views.series_add, name="series_add"),
    path("dayschools/organise/series/<int:pk>/edit/", organiser_views.series_edit, name="series_edit"),
    path("dayschools/organise/series/<int:pk>/schools/add/", organiser_views.school_add, name="school_add"),
    path("dayschools/organise/schools/<int:pk>/edit/", organiser_views.school_edit, name="school_edit"),
    path("dayschools/organise/schools/<int:pk>/events/add/", organiser_views.event_add, name="event_add"),
    path("dayschools/organise/events/<int:pk>/", organiser_views.event_manage, name="event_manage"),
    path("dayschools/organise/events/<int:pk>/edit/", organiser_views.event_edit, name="event_edit"),
    path("dayschools/organise/events/<int:pk>/publish/", organiser_views.event_publish, name="event_publish"),
    path("dayschools/organise/events/<int:pk>/cancel/", organiser_views.event_cancel, name="event_cancel"),
    path("dayschools/organise/events/<int:pk>/copy/", organiser_views.event_copy, name="event_copy"),
    path(
        "dayschools/organise/events/<int:pk>/workshops/add/",
        organiser_views.workshop_add,
        name="workshop_add",
    ),
    path(
        "dayschools/organise/events/<int:pk>/bookings/", organiser_views.event_bookings, name="event_bookings"
    ),
    path("dayschools/organise/workshops/<int:pk>/edit/", organiser_views.workshop_edit, name="workshop_edit"),
    path(
        "dayschools/organise/workshops/<int:pk>/delete/",
        organiser_views.workshop_delete,
        name="workshop_delete",
    ),
    path("dayschools/door/<int:pk>/", organiser_views.door, name="door"),
    path("dayschools/door/<int:pk>/walk-in/", organiser_views.door_walk_in, name="door_walk_in"),
    # Attendance reports, the chart, CSV exports, follow-ups (report_views).
    path("dayschools/reports/", report_views.report_index, name="reports"),
    path("dayschools/reports/events/<int:pk>/", report_views.event_report, name="event_report"),
    path(
        "dayschools/reports/events/<int:pk>/report.csv",
        report_views.event_report_csv,
        name="event_report_csv",
    ),
    path("dayschools/reports/series/<slug:slug>/cities/", report_views.city_report, name="city_report"),
    path(
        "dayschools/reports/series/<slug:slug>/cities.csv",
        report_views.city_report_csv,
        name="city_report_csv",
    ),
    path("dayschools/reports/series/<slug:slug>/cities.svg", report_views.city_chart, name="city_chart"),
    path("dayschools/reports/series/<slug:slug>/schools/", report_views.school_report, name="school_report"),
    path(
        "dayschools/reports/series/<slug:slug>/schools.csv",
        report_views.school_report_csv,
        name="school_report_csv",
    ),
    path("dayschools/reports/series/<slug:slug>/regions/", report_views.region_report, name="region_report"),
    path(
        "dayschools/reports/series/<slug:slug>/regions.csv",
        report_views.region_report_csv,
        name="region_report_csv",
    ),
    path("dayschools/follow-ups/", report_views.follow_ups, name="follow_ups"),
    path("dayschools/follow-ups.csv", report_views.follow_ups_csv, name="follow_ups_csv"),
    path("dayschools/follow-ups/<int:pk>/", report_views.follow_up_record, name="follow_up_record"),
]
