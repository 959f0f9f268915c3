"""The Django admin for national office staff: every model searchable and filterable.

Changes with rules (admissions, status changes, payments, erasure) go
through the site's pages, which call the services; the admin shows the
history read-only so that no change escapes the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from members.models import (
    Application,
    Branch,
    Consent,
    Contact,
    DuesRate,
    ImportBatch,
    LapseWarning,
    Member,
    Payment,
    RoleAssignment,
    StatusChange,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["status", "effective_on", "reason", "actor", "recorded_at"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["paid_on", "amount", "method", "months", "covers_to", "recorded_by"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "slug"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["full_name", "preferred_name", "branch", "status", "joined_on", "dues_band", "erased_at"]
    list_filter = ["status", "branch", "dues_band", "union_role", "joined_on", "erased_at"]
    search_fields = ["full_name", "preferred_name", "user__email", "workplace", "trade_union"]
    list_select_related = ["branch", "user"]
    readonly_fields = ["user", "status", "joined_on", "dues_from", "created_at", "updated_at", "erased_at"]
    inlines = [StatusChangeInline, PaymentInline]
    date_hierarchy = "joined_on"


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["member", "status", "effective_on", "actor", "recorded_at"]
    list_filter = ["status", "effective_on"]
    search_fields = ["member__full_name", "reason"]
    list_select_related = ["member", "actor"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(DuesRate)
class DuesRateAdmin(admin.ModelAdmin):
    list_display = ["band", "monthly_amount", "valid_from"]
    list_filter = ["band"]
    search_fields = ["band"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["member", "paid_on", "amount", "method", "months", "covers_to", "recorded_by"]
    list_filter = ["method", "paid_on", "member__branch"]
    search_fields = ["member__full_name", "member__user__email", "note"]
    list_select_related = ["member", "recorded_by"]
    date_hierarchy = "paid_on"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["member", "branch", "submitted_at", "decision", "decided_by", "decided_at"]
    list_filter = ["decision", "branch", "submitted_at"]
    search_fields = ["member__full_name", "member__user__email", "statement", "reason"]
    list_select_related = ["member", "branch", "decided_by"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "city", "branch", "how_met", "created_at", "became_member"]
    list_filter = ["branch", "city", "created_at", "erased_at"]
    search_fields = ["full_name", "email", "phone", "how_met", "notes"]
    list_select_related = ["branch", "became_member"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "member", "contact", "channel", "granted", "recorded_at", "source"]
    list_filter = ["channel", "granted", "recorded_at"]
    search_fields = ["member__full_name", "contact__full_name", "source"]
    list_select_related = ["member", "contact"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "branch", "starts_on", "ends_on", "granted_by"]
    list_filter = ["role", "branch", "starts_on", "ends_on"]
    search_fields = ["user__email", "user__member__full_name"]
    list_select_related = ["user", "branch", "granted_by"]
    autocomplete_fields = ["user"]


@admin.register(LapseWarning)
class LapseWarningAdmin(admin.ModelAdmin):
    list_display = ["member", "paid_up_to", "sent_at"]
    list_filter = ["sent_at"]
    search_fields = ["member__full_name"]
    list_select_related = ["member"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["filename", "uploaded_by", "uploaded_at", "state"]
    list_filter = ["state", "uploaded_at"]
    search_fields = ["filename"]
    exclude = ["content"]
    readonly_fields = ["filename", "uploaded_by", "uploaded_at", "state", "summary"]
