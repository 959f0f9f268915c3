"""The user admin without passwords: staff never see a hash nor set a password; they send a reset.

Registered in place of django.contrib.auth's own by ``awl.admin_apps.AdminConfig`` once every admin
module is loaded (importing django.contrib.auth.admin earlier would register its admins on a site
that does not exist yet).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import URLPattern

from awl.admin_site import audit_admin_change


class AwlUserAdmin(UserAdmin):
    """Accounts without passwords: staff never see a hash nor set a password; they send a reset."""

    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email")}),)
    actions = ["send_password_reset"]

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Any]]:
        if obj is None:
            # The add form: a plain model form with no password; the account gets an unusable one.
            kwargs["form"] = ModelForm
            kwargs["fields"] = ["username", "email"]
            return admin.ModelAdmin.get_form(self, request, obj, change=change, **kwargs)
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[URLPattern]:
        return [
            url for url in super().get_urls() if getattr(url, "name", None) != "auth_user_password_change"
        ]

    @admin.action(description="Send a password reset e-mail")
    def send_password_reset(self, request: HttpRequest, queryset: Any) -> None:
        from allauth.account.forms import ResetPasswordForm

        sent = 0
        for user in queryset:
            form = ResetPasswordForm({"email": user.email})
            if user.email and form.is_valid():
                form.save(request)
                audit_admin_change(request, user, "password_reset_sent", [])
                sent += 1
        self.message_user(request, f"Password reset sent to {sent} account(s).", messages.SUCCESS)


def replace_user_admin(site: admin.AdminSite) -> None:
    """Swap django.contrib.auth's user admin for :class:`AwlUserAdmin` (called once admins are loaded)."""
    user_model = get_user_model()
    if site.is_registered(user_model):
        site.unregister(user_model)
    site.register(user_model, AwlUserAdmin)
