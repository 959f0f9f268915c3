"""Whether a user must have two-factor authentication; apps register who counts as an officer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_officer_checks: list[Callable[[Any], bool]] = []


def register_officer_check(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    if check not in _officer_checks:
        _officer_checks.append(check)
    return check


def has_totp(user: Any) -> bool:
    """Whether the user has set up a TOTP authenticator."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def must_use_two_factor(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False)) or any(check(user) for check in _officer_checks)
