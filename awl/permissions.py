"""The one permission check: a ``rules`` predicate, asked for everyone alike.

``user.has_perm`` answers True for any active superuser without asking the
rules (Django's ``PermissionsMixin``), and also consults Django's permission
tables. Powers in this system come from appointments and roles that the rules
read (a returning officer named for this election, a teller, the CAC, a
branch's secretary), never from an account's flags, so every check in the
apps goes through :func:`has_rule` instead; ``tests/awl/test_permissions.py``
fails if code or a template in an app asks ``has_perm`` or ``perms`` directly.

The Django admin is the one exception: it is for staff, behind the site's
login and second factor (``awl.admin_site``), and uses Django's own checks.
"""

from __future__ import annotations

from typing import Any

import rules


def has_rule(user: Any, perm: str, obj: Any = None) -> bool:
    """Whether the rule named ``perm`` grants ``user`` the permission on ``obj``.

    A deactivated account holds no permission; anyone else, signed in or not,
    holds exactly what the rule says (a name with no rule is refused).
    """
    if user is None:
        return False
    if getattr(user, "is_authenticated", False) and not getattr(user, "is_active", False):
        return False
    return bool(rules.has_perm(perm, user, obj))
