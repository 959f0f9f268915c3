"""seed_demo adds the NC and the EC through demo.registry, and --force clears them first."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import ProtectedError
from django.utils import timezone

from committees.models import (
    ActionPoint,
    Committee,
    Decision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Term,
    TermRole,
)
from demo import registry as demo
from demo.members import LOGINS
from members.models import Member

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def current_emails(slug: str) -> set[str]:
    terms = Term.objects.filter(committee__slug=slug).current().select_related("member__user")
    return {term.member.user.email for term in terms}


def roles_of(email: str) -> set[tuple[str, str]]:
    return set(
        Term.objects.filter(member__user__email=email).current().values_list("committee__slug", "role")
    )


def test_seed_demo_twice_with_force_gives_an_nc_of_20_and_an_ec_of_7_from_it() -> None:
    seed()
    seed("--force")

    assert Committee.objects.count() == 2
    nc, ec = current_emails("nc"), current_emails("ec")
    assert len(nc) == 20
    assert len(ec) == 7
    assert ec <= nc
    assert roles_of("secretary@awl.example") == {("nc", TermRole.SECRETARY), ("ec", TermRole.SECRETARY)}
    assert roles_of("member@awl.example") == {("nc", TermRole.MEMBER)}
    nc_roles = set(Term.objects.filter(committee__slug="nc").values_list("role", flat=True))
    assert {TermRole.CHAIR, TermRole.MINUTES_SECRETARY, TermRole.SECRETARY} <= nc_roles
    assert Committee.objects.get(slug="ec").elected_by == Committee.objects.get(slug="nc")
    assert "secretary@awl.example" in {login.email for login in LOGINS}


def test_the_demo_terms_come_from_the_last_conference_and_the_ncs_first_meeting() -> None:
    seed()

    nc_terms = Term.objects.filter(committee__slug="nc")
    ec_terms = Term.objects.filter(committee__slug="ec")
    [conference] = set(nc_terms.values_list("starts_on", flat=True))
    assert (conference.month, conference.weekday()) == (4, 5)  # a Saturday in April
    assert set(nc_terms.values_list("basis_detail", flat=True)) == {f"Annual conference {conference.year}"}
    # The EC the NC elected at its first meeting, and the two it elected since at a by-election.
    first = ec_terms.exclude(basis_detail__startswith="Elected by the National Committee")
    assert {t.basis_detail.startswith("NC meeting of") for t in first} == {True}
    assert ec_terms.count() - first.count() == 2


def test_the_demo_meetings_follow_the_cycles_with_a_held_meeting_and_its_published_minutes() -> None:
    seed()
    now = timezone.now()

    ahead = Meeting.objects.filter(starts_at__gt=now).select_related("committee")
    assert max(m.starts_at for m in ahead) > now + dt.timedelta(days=80)
    for meeting in ahead:
        local = timezone.localtime(meeting.starts_at)
        expected = (5, 11) if meeting.committee.slug == "nc" else (0, 19)  # Saturday 11:00, Monday 19:00
        assert (local.weekday(), local.hour, local.minute) == (*expected, 0), meeting
    assert ahead.filter(committee__slug="ec").count() >= 12

    published = Minutes.objects.get(status=MinutesStatus.PUBLISHED)
    assert published.meeting.status == MeetingStatus.HELD
    assert published.meeting.committee.slug == "nc"
    assert published.approved_at_meeting is not None
    assert published.approved_at_meeting.status == MeetingStatus.HELD
    assert Decision.objects.filter(meeting=published.meeting).exists()
    [point] = ActionPoint.objects.filter(meeting=published.meeting)
    assert point.done_at is None
    assert point.owner == Member.objects.get(user__email="member@awl.example")


def test_force_without_the_committees_cleanup_would_fail_on_protected_members(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: terms of office protect the members; the registered cleanup is what lets --force work."""
    seed()
    registered = demo.demo_seeders()
    without_cleanup = {s.name: dataclasses.replace(s, cleanup=lambda: None) for s in registered}
    monkeypatch.setattr(demo, "_seeders", without_cleanup)

    with pytest.raises(ProtectedError):
        seed("--force")


def test_the_members_app_imports_nothing_from_committees() -> None:
    members_dir = Path(settings.BASE_DIR) / "members"
    offenders = []
    for source in members_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{source}: {name}" for name in names if name.split(".")[0] == "committees"]
    assert offenders == []
