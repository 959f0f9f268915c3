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
    readonly_fields = ["key", "to", "subject", "body_text", "body_html", "created_at", "sent_at", "attempts"]


class AuditedModelAdmin(admin.ModelAdmin):
    """An admin whose saves and deletions land in the audit trail, in the same transaction."""

    def save_model(self, request, obj, form, change):
        from awl.audit import log_action

        super().save_model(request, obj, form, change)
        action = f"admin.{obj._meta.model_name}.{'changed' if change else 'added'}"
        log_action(actor=request.user, action=action, target=obj, detail={"fields": form.changed_data})

    def delete_model(self, request, obj):
        from awl.audit import log_action

        log_action(actor=request.user, action=f"admin.{obj._meta.model_name}.deleted", target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        from awl.audit import log_action

        for obj in queryset:
            log_action(actor=request.user, action=f"admin.{obj._meta.model_name}.deleted", target=obj)
        super().delete_queryset(request, queryset)
