from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from awl.mfa import has_totp, must_use_two_factor

# Pages an officer without two-factor may still reach: setting it up, leaving.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")


class RequireOfficerTwoFactorMiddleware:
    """National office and officers set up TOTP before they use anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.AWL_OFFICER_MFA_REQUIRED
            and request.user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and must_use_two_factor(request.user)
            and not has_totp(request.user)
        ):
            messages.warning(request, "Officers must set up two-factor authentication before going on.")
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Nothing shown to a signed-in person is kept by a browser or a proxy: ``no-store, private``.

    Pages behind the login hold personal data (membership of a political organisation is special
    category data), so no back button, shared computer or cache may keep a copy. A response the view
    marked ``public`` on purpose is left alone; any other Cache-Control the view set (``no-store``
    alone, ``private, max-age=300``) gains the two directives. Anonymous visitors are not affected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        directives = {
            part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")
        }
        if "public" not in directives:
            patch_cache_control(response, no_store=True, private=True)
        return response
