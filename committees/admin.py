"""The admin for committees: every model searchable and filterable; saves audited."""

from __future__ import annotations

from django.contrib import admin

from committees.models import (
    ActionPoint,
    AgendaItem,
    Apology,
    Attendance,
    CalendarToken,
    Committee,
    Decision,
    Meeting,
    Minutes,
    NoticeDispatch,
    Paper,
    Term,
)


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "elected_by", "notice_days", "cycle_rule"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["member", "committee", "role", "starts_on", "ends_on", "basis"]
    list_filter = ["committee", "role", "basis", "starts_on", "ends_on"]
    search_fields = ["member__full_name", "basis_detail", "end_reason"]
    list_select_related = ["member", "committee"]
    autocomplete_fields = ["member"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["committee", "starts_at", "status", "kind", "venue", "agenda_published_at"]
    list_filter = ["committee", "status", "kind", "starts_at"]
    search_fields = ["committee__name", "venue", "emergency_reason", "cancel_reason"]
    date_hierarchy = "starts_at"
    list_select_related = ["committee"]
    readonly_fields = ["sequence", "time_version", "occurrence", "called_at", "created_at"]
    inlines = [AgendaItemInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["meeting", "position", "section", "title"]
    list_filter = ["section", "meeting__committee"]
    search_fields = ["title", "body"]
    list_select_related = ["meeting__committee"]


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["title", "item", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type", "uploaded_at"]
    search_fields = ["title"]


@admin.register(Apology)
class ApologyAdmin(admin.ModelAdmin):
    list_display = ["meeting", "member", "channel", "sent_at"]
    list_filter = ["channel", "meeting__committee"]
    search_fields = ["member__full_name", "note"]
    list_select_related = ["meeting__committee", "member"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["meeting", "member", "present", "recorded_at"]
    list_filter = ["present", "meeting__committee"]
    search_fields = ["member__full_name"]
    list_select_related = ["meeting__committee", "member"]


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    list_display = ["meeting", "status", "circulated_at", "approved_at_meeting", "published_at"]
    list_filter = ["status", "meeting__committee"]
    search_fields = ["text"]
    list_select_related = ["meeting__committee", "approved_at_meeting"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["text", "meeting", "recorded_at"]
    list_filter = ["meeting__committee", "recorded_at"]
    search_fields = ["text"]


@admin.register(ActionPoint)
class ActionPointAdmin(admin.ModelAdmin):
    list_display = ["text", "owner", "due_on", "done_at", "meeting"]
    list_filter = ["meeting__committee", "due_on", "done_at"]
    search_fields = ["text", "owner__full_name"]
    list_select_related = ["owner", "meeting__committee"]


@admin.register(NoticeDispatch)
class NoticeDispatchAdmin(admin.ModelAdmin):
    list_display = ["meeting", "kind", "version", "swept_at", "recipients", "skipped", "skip_reason"]
    list_filter = ["kind", "skipped", "swept_at"]
    search_fields = ["meeting__committee__name", "skip_reason"]
    list_select_related = ["meeting__committee"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["member", "created_at", "revoked_at"]
    list_filter = ["created_at", "revoked_at"]
    search_fields = ["member__full_name"]
    exclude = ["token"]
