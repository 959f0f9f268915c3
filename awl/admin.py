"""The site's own models in the admin: the audit trail (read-only evidence) and the outbox.

The admin site itself (its door, the fields it withholds, its audit) is ``awl.admin_site``.
"""

from django.contrib import admin

from awl.models import AuditEntry, OutboundMessage


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_repr"]
    list_filter = ["action", "target_type", "at"]
    search_fields = ["action", "target_repr", "actor__email"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    # The audit trail is evidence: nobody edits or deletes it, even in the admin.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["to", "subject", "key"]
    date_hierarchy = "created_at"
    # The bodies are withheld by the site (they carry bearer links); the rest is read-only.
    readonly_fields = ["key", "to", "subject", "created_at", "sent_at", "attempts"]
