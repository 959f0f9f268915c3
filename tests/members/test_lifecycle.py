"""The membership lifecycle: which status may follow which, who may change it, and the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from awl.models import AuditEntry
from members import services
from members.models import ALLOWED_TRANSITIONS, Branch, Member, MemberStatus, StatusChange
from members.services import MembershipError
from tests.factories import change_status, last_change, make_application, make_member, reload, travel

JOINED = dt.date(2024, 1, 10)
LATER = dt.date(2024, 6, 3)

# Changes made by approving or making an application, not by change_status.
THROUGH_APPLICATIONS = {
    (MemberStatus.APPLICANT, MemberStatus.MEMBER),
    (MemberStatus.RESIGNED, MemberStatus.APPLICANT),
}
ALLOWED = sorted(
    (before, after)
    for before, afters in ALLOWED_TRANSITIONS.items()
    for after in afters
    if (before, after) not in THROUGH_APPLICATIONS
)
REFUSED = sorted(
    (before, after)
    for before in MemberStatus
    for after in MemberStatus
    if before != after and after not in ALLOWED_TRANSITIONS[before]
)


def member_with_status(branch: Branch, status: MemberStatus) -> Member:
    """Someone who reached ``status`` by the lifecycle, all before LATER."""
    if status == MemberStatus.APPLICANT:
        return make_application(branch, on=JOINED).member
    member = make_member(branch, joined_on=JOINED)
    if status != MemberStatus.MEMBER:
        change_status(member, status, on=JOINED + dt.timedelta(days=30))
    return reload(member)


@pytest.mark.parametrize(("before", "after"), ALLOWED)
def test_change_status_makes_each_allowed_transition(
    london: Branch, dues_rates: Any, national_office: Any, before: MemberStatus, after: MemberStatus
) -> None:
    member = member_with_status(london, before)

    with travel(LATER):
        services.change_status(
            actor=national_office, member=member, status=after, reason="Branch meeting decision"
        )

    assert reload(member).status == after
    latest = last_change(member)
    assert (latest.status, latest.effective_on, latest.actor) == (after, LATER, national_office)


@pytest.mark.parametrize(("before", "after"), REFUSED)
def test_change_status_refuses_each_transition_the_lifecycle_does_not_allow(
    london: Branch, dues_rates: Any, national_office: Any, before: MemberStatus, after: MemberStatus
) -> None:
    member = member_with_status(london, before)
    history = member.status_changes.count()

    with travel(LATER), pytest.raises(MembershipError):
        services.change_status(actor=national_office, member=member, status=after, reason="Trying it")

    assert reload(member).status == before
    assert member.status_changes.count() == history


def test_refused_transition_says_from_what_to_what(
    london: Branch, dues_rates: Any, national_office: Any
) -> None:
    member = member_with_status(london, MemberStatus.LAPSED)

    with travel(LATER), pytest.raises(MembershipError, match="from lapsed to suspended"):
        services.change_status(
            actor=national_office, member=member, status=MemberStatus.SUSPENDED, reason="Complaint"
        )


def test_change_status_refuses_admitting_an_applicant_outside_their_application(
    london: Branch, dues_rates: Any, national_office: Any
) -> None:
    applicant = make_application(london, on=JOINED).member

    with travel(LATER), pytest.raises(MembershipError, match="approving their application"):
        services.change_status(
            actor=national_office, member=applicant, status=MemberStatus.MEMBER, reason="Keen"
        )


def test_resigned_member_rejoins_by_applying_again(
    london: Branch, dues_rates: Any, london_organiser: Any
) -> None:
    member = member_with_status(london, MemberStatus.RESIGNED)

    with travel(LATER), pytest.raises(MembershipError, match="applying again"):
        services.change_status(
            actor=london_organiser, member=member, status=MemberStatus.APPLICANT, reason="Wants back"
        )
    application = make_application(london, on=LATER, user=member.user, full_name=member.full_name)
    assert reload(member).status == MemberStatus.APPLICANT

    with travel(LATER):
        services.approve_application(actor=london_organiser, application=application)

    rejoined = reload(member)
    assert rejoined.status == MemberStatus.MEMBER
    assert rejoined.joined_on == JOINED
    assert rejoined.dues_from == LATER


def test_status_history_records_each_change_with_its_date_actor_and_reason(
    london: Branch, dues_rates: Any, london_organiser: Any
) -> None:
    member = make_member(london, joined_on=JOINED)

    change_status(
        member, MemberStatus.SUSPENDED, on=dt.date(2024, 3, 1), by=london_organiser, reason="Complaint"
    )
    change_status(
        member, MemberStatus.MEMBER, on=dt.date(2024, 4, 2), by=london_organiser, reason="Upheld appeal"
    )

    history = [(c.status, c.effective_on, c.reason) for c in member.status_changes.all()]
    assert history == [
        (MemberStatus.APPLICANT, JOINED, ""),
        (MemberStatus.MEMBER, JOINED, "Application approved"),
        (MemberStatus.SUSPENDED, dt.date(2024, 3, 1), "Complaint"),
        (MemberStatus.MEMBER, dt.date(2024, 4, 2), "Upheld appeal"),
    ]
    assert {c.actor for c in member.status_changes.filter(effective_on__gt=JOINED)} == {london_organiser}


def test_change_status_may_take_effect_on_a_past_date(
    london: Branch, dues_rates: Any, london_organiser: Any
) -> None:
    member = make_member(london, joined_on=JOINED)

    with travel(LATER):
        services.change_status(
            actor=london_organiser,
            member=member,
            status=MemberStatus.RESIGNED,
            reason="Letter dated 1 May",
            effective_on=dt.date(2024, 5, 1),
        )

    assert last_change(member).effective_on == dt.date(2024, 5, 1)


def test_reinstating_a_lapsed_member_restarts_their_dues_from_that_day(
    london: Branch, dues_rates: Any, london_organiser: Any
) -> None:
    member = make_member(london, joined_on=JOINED)
    change_status(member, MemberStatus.LAPSED, on=dt.date(2024, 4, 1), by=london_organiser)

    change_status(member, MemberStatus.MEMBER, on=LATER, by=london_organiser, reason="Rejoined at a meeting")

    assert reload(member).dues_from == LATER


def test_lifting_a_suspension_keeps_the_dues_running_from_before(
    london: Branch, dues_rates: Any, london_organiser: Any
) -> None:
    member = make_member(london, joined_on=JOINED)
    change_status(member, MemberStatus.SUSPENDED, on=dt.date(2024, 4, 1), by=london_organiser)

    change_status(member, MemberStatus.MEMBER, on=LATER, by=london_organiser, reason="Suspension lifted")

    assert reload(member).dues_from == JOINED


def test_member_may_resign_themselves(london: Branch, dues_rates: Any) -> None:
    member = make_member(london, joined_on=JOINED)

    with travel(LATER):
        services.change_status(
            actor=member.user, member=member, status=MemberStatus.RESIGNED, reason="Moving abroad"
        )

    assert reload(member).status == MemberStatus.RESIGNED
    assert last_change(member).actor == member.user
    entry = AuditEntry.objects.get(action="member.status_changed")
    assert entry.actor == member.user
    assert entry.detail == {"from": "member", "to": "resigned", "effective_on": LATER.isoformat()}


def test_member_may_not_suspend_themselves(london: Branch, dues_rates: Any) -> None:
    member = make_member(london, joined_on=JOINED)

    with travel(LATER), pytest.raises(MembershipError):
        services.change_status(
            actor=member.user, member=member, status=MemberStatus.SUSPENDED, reason="A break"
        )

    assert reload(member).status == MemberStatus.MEMBER


def test_organiser_of_another_branch_may_not_change_the_status(
    london: Branch, dues_rates: Any, leeds_organiser: Any
) -> None:
    member = make_member(london, joined_on=JOINED)

    with travel(LATER), pytest.raises(MembershipError, match="London"):
        services.change_status(
            actor=leeds_organiser, member=member, status=MemberStatus.SUSPENDED, reason="No"
        )

    assert reload(member).status == MemberStatus.MEMBER
    assert not AuditEntry.objects.filter(action="member.status_changed").exists()


def test_someone_without_a_role_may_not_change_anothers_status(
    london: Branch, dues_rates: Any, outsider: Any
) -> None:
    member = make_member(london, joined_on=JOINED)

    with travel(LATER), pytest.raises(MembershipError):
        services.change_status(actor=outsider, member=member, status=MemberStatus.RESIGNED, reason="Spite")

    assert reload(member).status == MemberStatus.MEMBER


@pytest.mark.parametrize("reason", ["", "   "])
def test_change_status_requires_a_reason(
    london: Branch, dues_rates: Any, london_organiser: Any, reason: str
) -> None:
    member = make_member(london, joined_on=JOINED)

    with travel(LATER), pytest.raises(MembershipError, match="reason"):
        services.change_status(
            actor=london_organiser, member=member, status=MemberStatus.SUSPENDED, reason=reason
        )

    assert reload(member).status == MemberStatus.MEMBER


def test_change_status_refuses_a_date_in_the_future(
    london: Branch, dues_rates: Any, london_organiser: Any
) -> None:
    member = make_member(london, joined_on=JOINED)

    with travel(LATER), pytest.raises(MembershipError, match="future"):
        services.change_status(
            actor=london_organiser,
            member=member,
            status=MemberStatus.RESIGNED,
            reason="Said they will resign",
            effective_on=LATER + dt.timedelta(days=1),
        )

    assert reload(member).status == MemberStatus.MEMBER
    assert not StatusChange.objects.filter(status=MemberStatus.RESIGNED).exists()


def test_change_status_refuses_a_date_before_the_last_change(
    london: Branch, dues_rates: Any, london_organiser: Any
) -> None:
    member = make_member(london, joined_on=JOINED)
    change_status(member, MemberStatus.SUSPENDED, on=dt.date(2024, 3, 1), by=london_organiser)

    with travel(LATER), pytest.raises(MembershipError, match="01 Mar 2024"):
        services.change_status(
            actor=london_organiser,
            member=member,
            status=MemberStatus.RESIGNED,
            reason="Backdated letter",
            effective_on=dt.date(2024, 2, 1),
        )

    assert reload(member).status == MemberStatus.SUSPENDED


def test_change_status_writes_an_audit_entry_with_the_actor(
    london: Branch, dues_rates: Any, london_organiser: Any
) -> None:
    member = make_member(london, joined_on=JOINED)

    change_status(member, MemberStatus.SUSPENDED, on=LATER, by=london_organiser, reason="Complaint")

    entry = AuditEntry.objects.get(action="member.status_changed")
    assert (entry.actor, entry.target_id) == (london_organiser, str(member.pk))
    assert entry.detail == {"from": "member", "to": "suspended", "effective_on": LATER.isoformat()}
