"""The Django admin, behind the site's own door: the last resort of national office, never a way round.

* **One door.** The admin has no login of its own: ``/admin/login/`` sends people to the site's login
  (allauth: its rate limits, and the TOTP step for anyone who has TOTP). Only staff whose session has
  passed the second factor get in; staff without TOTP are sent to set it up, staff whose session skipped
  it are asked for a code again, and anyone else logged in is refused.
* **No secrets.** Fields that hold a secret or a bearer link (:data:`WITHHELD`: password hashes, TOTP
  secrets and recovery seeds, calendar tokens, e-mail confirmation keys, the bodies of outbound mail,
  which carry booking, apology and nomination links) are taken out of every admin's forms, lists,
  searches and read-only fields, whoever wrote the admin: the site applies it when an admin is
  registered, so a new admin cannot forget.
* **No passwords set by staff.** The user admin (``awl.user_admin``) has no password field, no
  "change password" page and no password on the add form; staff send a password reset instead (an
  action on the user list).
* **Everything audited.** Every addition, change and deletion through any admin is written to the
  audit trail (``admin.<model>.added|changed|deleted``, with the admin's own description of the
  change, which names the fields changed, never their values), in the same transaction as the change.
  A look at a change page of a model holding personal data (:data:`PERSONAL_DATA_APPS`, decided by
  app label, as awl imports no app) is logged as ``admin.<model>.viewed``, once per person, record and
  hour, like an officer's look on the site.

``awl.admin_apps.AdminConfig`` makes :class:`AwlAdminSite` the default site, so ``admin.site`` and
``@admin.register`` everywhere (Django's, allauth's and ours) use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from awl.mfa import has_totp

# Field names that never appear in any admin, on any model.
WITHHELD = frozenset({"password", "token", "secret", "body_text", "body_html"})
# And per model (app_label.model_name): fields whose name is ordinary but whose content is a secret.
WITHHELD_BY_MODEL = {
    "mfa.authenticator": frozenset({"data"}),  # the TOTP secret, the recovery codes' seed
    "account.emailconfirmation": frozenset({"key"}),  # a bearer key that verifies an address
    "awl.outboundmessage": frozenset({"attachments"}),  # calendar files, which may carry links too
}


# Apps whose models hold personal data: a GET of one of their admin change pages is logged as a view.
PERSONAL_DATA_APPS = frozenset(
    {"auth", "account", "mfa", "members", "committees", "dayschools", "conference", "awl"}
)


def withheld_fields(model: type[models.Model]) -> frozenset[str]:
    """The fields of ``model`` no admin page may show, edit or search."""
    return WITHHELD | WITHHELD_BY_MODEL.get(model._meta.label_lower, frozenset())


def passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session's login included the TOTP step (allauth records each step it passes)."""
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def _drop(names: Iterable[Any], withheld: frozenset[str]) -> list[Any]:
    return [name for name in names if not (isinstance(name, str) and name.lstrip("^=@") in withheld)]


class GuardedAdminMixin:
    """Withholds secret fields and writes every change to the audit trail (mixed into every admin)."""

    model: type[models.Model]

    def _withheld(self) -> frozenset[str]:
        return withheld_fields(self.model)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        own = super().get_exclude(request, obj) or []  # type: ignore[misc]
        present = {field.name for field in self.model._meta.get_fields()}
        return [*own, *(name for name in self._withheld() if name in present and name not in own)]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return _drop(super().get_fields(request, obj), self._withheld())  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, dict[str, Any]]]:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        guarded = []
        for name, options in fieldsets:
            fields = _drop(options.get("fields", ()), self._withheld())
            if fields:
                guarded.append((name, {**options, "fields": fields}))
        return guarded

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return _drop(super().get_readonly_fields(request, obj), self._withheld())  # type: ignore[misc]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return _drop(super().get_list_display(request), self._withheld())  # type: ignore[misc]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # A search on a secret is an oracle for it, even when the secret is never shown.
        return [
            name
            for name in super().get_search_fields(request)  # type: ignore[misc]
            if name.lstrip("^=@").split("__")[0] not in self._withheld()
        ]

    def get_list_filter(self, request: HttpRequest) -> Sequence[Any]:
        return _drop(super().get_list_filter(request), self._withheld())  # type: ignore[misc]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        # Both the change page and the view-only page of one object come through here, with the object.
        if request.method == "GET" and change and obj is not None:
            audit_admin_view(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]

    # The admin calls these for every addition, change and deletion it makes, whoever wrote the admin.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        audit_admin_change(request, obj, "added", message)
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        audit_admin_change(request, obj, "changed", message)
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            audit_admin_change(request, obj, "deleted", [])
        return super().log_deletions(request, queryset)  # type: ignore[misc]


def audit_admin_change(request: HttpRequest, obj: Any, what: str, message: Any) -> None:
    from awl.audit import log_action

    log_action(
        actor=request.user,
        action=f"admin.{obj._meta.model_name}.{what}",
        target=obj,
        detail={"change": message if isinstance(message, list) else str(message)},
    )


def audit_admin_view(request: HttpRequest, obj: models.Model) -> None:
    """A look at one object holding personal data, through the admin (at most once an hour)."""
    from awl.audit import log_view

    if obj._meta.app_label not in PERSONAL_DATA_APPS:
        return
    log_view(
        actor=request.user, action=f"admin.{obj._meta.model_name}.viewed", target=obj, role="Django admin"
    )


class AwlAdminSite(admin.AdminSite):
    site_header = "AWL administration (last resort: use the site's own pages where there is one)"
    site_title = "AWL administration"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, GuardedAdminMixin):
            admin_class = type(admin_class.__name__, (GuardedAdminMixin, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and passed_second_factor(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """No login form here: the site's login, or the missing step of it."""
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse(settings.LOGIN_URL))
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        if not has_totp(user):
            messages.warning(request, "The admin needs two-factor authentication: set it up first.")
            return redirect("mfa_activate_totp")
        return redirect_to_login(next_url, reverse("mfa_reauthenticate"))
