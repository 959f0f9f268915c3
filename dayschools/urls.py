from dayschools import organiser_views, public_views, report_views

app_name = "dayschools"
urlpatterns = [
    # Public listing, booking (members and guests), a booking's own link (public_views).
    *public_views.urlpatterns,
    # Organisers: series, schools, events, workshops, the door list (organiser_views).
    *organiser_views.urlpatterns,
    # Attendance reports, the chart, CSV exports, follow-ups (report_views).
    *report_views.urlpatterns,
]
