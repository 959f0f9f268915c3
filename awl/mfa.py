"""Whether a user must have two-factor authentication; apps register who counts as an officer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_officer_checks: list[Callable[[Any], bool]] = []


def register_officer_check(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """Count whoever ``check(user)`` is true for among those who must use TOTP.

    Each app registers, in its ``AppConfig.ready``, a check for every power it gives that a role
    (members.RoleAssignment) does not show: a returning officer, a teller, a minutes secretary, an event's
    organisers. The middleware asks on every request, so a check makes one query at most and keeps its
    answer on the user object, which lives for the request.
    """
    if check not in _officer_checks:
        _officer_checks.append(check)
    return check


def has_totp(user: Any) -> bool:
    """Whether the user has set up a TOTP authenticator."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def must_use_two_factor(user: Any) -> bool:
    """Officers (the apps' checks) and the accounts the admin lets in, staff and superusers.

    The account flags appear here and in the admin's door only: they ask for more (a second factor),
    never grant a power, which comes from a role or an appointment checked by ``rules``."""
    account_flags = bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
    return account_flags or any(check(user) for check in _officer_checks)
