from django.urls import path

from committees import feed_views, meeting_views, record_views, views

app_name = "committees"
urlpatterns = [
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<slug:slug>/", views.committee_detail, name="committee_detail"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("apologies/<str:token>/", views.apology_link, name="apology_link"),
    # Secretaries: scheduling, the agenda and its papers (meeting_views).
    path("committees/<slug:slug>/meetings/", meeting_views.manage_meetings, name="manage_meetings"),
    path("committees/<slug:slug>/meetings/call/", meeting_views.call_meeting, name="call_meeting"),
    path("meetings/<int:pk>/manage/", meeting_views.meeting_manage, name="meeting_manage"),
    path("meetings/<int:pk>/move/", meeting_views.meeting_move, name="meeting_move"),
    path("meetings/<int:pk>/cancel/", meeting_views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/held/", meeting_views.meeting_mark_held, name="meeting_mark_held"),
    path("meetings/<int:pk>/agenda/", meeting_views.agenda_edit, name="agenda_edit"),
    path("meetings/<int:pk>/agenda/prepare/", meeting_views.agenda_prepare, name="agenda_prepare"),
    path("meetings/<int:pk>/agenda/add/", meeting_views.agenda_add_item, name="agenda_add_item"),
    path("meetings/<int:pk>/agenda/publish/", meeting_views.agenda_publish, name="agenda_publish"),
    path("agenda-items/<int:pk>/edit/", meeting_views.agenda_item_edit, name="agenda_item_edit"),
    path("agenda-items/<int:pk>/move/", meeting_views.agenda_item_move, name="agenda_item_move"),
    path("agenda-items/<int:pk>/delete/", meeting_views.agenda_item_delete, name="agenda_item_delete"),
    path("agenda-items/<int:pk>/papers/add/", meeting_views.paper_upload, name="paper_upload"),
    path("papers/<int:pk>/", meeting_views.paper_download, name="paper_download"),
    path("papers/<int:pk>/delete/", meeting_views.paper_delete, name="paper_delete"),
    # On the day and after: apologies, attendance and quorum, minutes, decisions, action points.
    path("meetings/<int:pk>/apologies/", record_views.send_apologies, name="send_apologies"),
    path("meetings/<int:pk>/attendance/", record_views.attendance, name="attendance"),
    path("meetings/<int:pk>/quorum/", record_views.meeting_quorum, name="meeting_quorum"),
    path("meetings/<int:pk>/minutes/", record_views.minutes, name="minutes"),
    path("meetings/<int:pk>/minutes/draft/", record_views.minutes_draft, name="minutes_draft"),
    path("meetings/<int:pk>/minutes/circulate/", record_views.minutes_circulate, name="minutes_circulate"),
    path("meetings/<int:pk>/minutes/approve/", record_views.minutes_approve, name="minutes_approve"),
    path("meetings/<int:pk>/minutes/publish/", record_views.minutes_publish, name="minutes_publish"),
    path("meetings/<int:pk>/decisions/add/", record_views.decision_add, name="decision_add"),
    path("meetings/<int:pk>/action-points/add/", record_views.action_point_add, name="action_point_add"),
    path("committees/<slug:slug>/decisions/", record_views.decisions_register, name="decisions"),
    path("action-points/", record_views.my_action_points, name="my_action_points"),
    path("action-points/<int:pk>/done/", record_views.action_point_done, name="action_point_done"),
    # Calendar feeds (feed_views).
    path("membership/calendar/", feed_views.my_calendar, name="my_calendar"),
    path("calendar/<str:token>.ics", feed_views.member_feed, name="member_feed"),
    path("committees/<slug:slug>/calendar/", feed_views.committee_calendar, name="committee_calendar"),
    path("committees/<slug:slug>/calendar/<str:token>.ics", feed_views.committee_feed, name="committee_feed"),
    path("committees/<slug:slug>/failed-mail/", feed_views.failed_messages, name="failed_messages"),
]
