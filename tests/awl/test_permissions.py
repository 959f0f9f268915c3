"""No account is above the rules: every permission check in the apps asks the rule, for everyone alike."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import rules

from awl.permissions import has_rule
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ("awl", "members", "committees", "dayschools", "conference")
# The admin site is for staff and uses Django's own checks; it is behind the site's login and TOTP.
EXEMPT = {ROOT / "awl" / "admin_site.py", ROOT / "awl" / "user_admin.py", ROOT / "awl" / "permissions.py"}


def _app_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path not in EXEMPT
    )


def test_no_app_code_asks_has_perm() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _app_modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "has_perm" and not _is_rules_module(node)
    ]
    assert not offenders, (
        "ask awl.permissions.has_rule, not has_perm (a superuser passes has_perm): " + ", ".join(offenders)
    )


def _is_rules_module(node: ast.Attribute) -> bool:
    return isinstance(node.value, ast.Name) and node.value.id == "rules"


def test_no_template_asks_perms() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if re.search(r"\bperms\.|\bhas_perm\b", path.read_text())
    ]
    assert not offenders, "compute the permission in the view with has_rule: " + ", ".join(offenders)


@pytest.fixture
def superuser(db: None) -> Any:
    return UserFactory.create(username="root", email="root@example.org", is_staff=True, is_superuser=True)


def test_being_a_superuser_grants_no_rule(superuser: Any) -> None:
    """A superuser with no role holds exactly what an account with no role holds, rule by rule."""
    plain = UserFactory.create(username="plain", email="plain@example.org")
    names = sorted(name for name in rules.permissions.permissions if name.split(".")[0] in APPS)

    assert names
    assert all(superuser.has_perm(name) for name in names)  # Django's own check lets it through
    assert [n for n in names if has_rule(superuser, n)] == [n for n in names if has_rule(plain, n)]


def test_a_deactivated_account_holds_nothing(db: None) -> None:
    user = UserFactory.create(username="gone", email="gone@example.org", is_active=False)
    rules.add_perm("awl.test_everyone", rules.always_allow)
    try:
        assert has_rule(user, "awl.test_everyone") is False
        assert (
            has_rule(UserFactory.create(username="here", email="here@example.org"), "awl.test_everyone")
            is True
        )
    finally:
        rules.remove_perm("awl.test_everyone")
