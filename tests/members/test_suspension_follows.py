"""Suspension follows the person (issue 14, item 9).

A suspended member once escaped by resigning themselves and re-joining another branch, whose organiser
approved them with no trace of the suspension. Now a suspended member cannot resign themselves; someone who
left while suspended (recorded by an officer) and applies again, from the same account or from another
account with the same e-mail address, is decided by the national office, which sees the history; the new
branch's organiser cannot approve them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from awl.models import OutboundMessage
from members import services
from members.models import Application, ApplicationDecision, Branch, Member, MemberStatus
from members.services import MembershipError
from tests.factories import (
    UserFactory,
    change_status,
    make_application,
    make_member,
    reload,
    travel,
)

JOINED = dt.date(2024, 1, 10)
SUSPENDED_ON = dt.date(2024, 3, 4)
LEFT_ON = dt.date(2024, 4, 8)
REAPPLIED_ON = dt.date(2024, 9, 2)
SUSPENSION_REASON = "Disciplinary hearing pending: harassment complaint"


def suspended_member(branch: Branch) -> Member:
    member = make_member(branch, joined_on=JOINED, full_name="Kit Marlowe")
    change_status(member, MemberStatus.SUSPENDED, on=SUSPENDED_ON, reason=SUSPENSION_REASON)
    return reload(member)


def left_while_suspended(branch: Branch) -> Member:
    """Suspended, then a resignation recorded by the national office (the only way out now)."""
    member = suspended_member(branch)
    change_status(member, MemberStatus.RESIGNED, on=LEFT_ON, reason="Letter of resignation received")
    return reload(member)


def reapply(user: Any, branch: Branch) -> Application:
    return make_application(branch, on=REAPPLIED_ON, user=user, full_name="Kit Marlowe")


# A suspended member cannot resign themselves out of it -------------------------------------
def test_a_suspended_member_cannot_resign_themselves(london: Branch, dues_rates: Any) -> None:
    member = suspended_member(london)

    with travel(LEFT_ON), pytest.raises(MembershipError, match="suspended"):
        services.change_status(
            actor=member.user, member=member, status=MemberStatus.RESIGNED, reason="Leaving"
        )

    assert reload(member).status == MemberStatus.SUSPENDED
    assert member.status_changes.count() == 3  # applied, admitted, suspended


def test_the_resign_page_refuses_a_suspended_member_with_a_clear_message(
    client: Any, london: Branch, dues_rates: Any
) -> None:
    member = suspended_member(london)
    client.force_login(member.user)

    with travel(LEFT_ON):
        page = client.get(reverse("members:my_membership"))
        response = client.post(reverse("members:resign"), {"reason": "Leaving", "confirm": "on"})

    assert reverse("members:resign") not in page.content.decode()
    assert response.status_code == 409
    assert "while your membership is suspended" in response.content.decode()
    assert reload(member).status == MemberStatus.SUSPENDED


def test_the_national_office_may_still_record_a_suspended_members_resignation(
    london: Branch, dues_rates: Any
) -> None:
    member = left_while_suspended(london)

    assert member.status == MemberStatus.RESIGNED


# A re-application goes to the national office --------------------------------------------
def test_reapplying_from_the_same_account_goes_to_the_national_office(
    london: Branch, leeds: Branch, dues_rates: Any, national_office: Any, leeds_organiser: Any
) -> None:
    member = left_while_suspended(london)

    application = reapply(member.user, leeds)

    with travel(REAPPLIED_ON), pytest.raises(MembershipError, match="national office"):
        services.approve_application(actor=leeds_organiser, application=application)
    assert reload(application).decision == ApplicationDecision.PENDING
    notices = OutboundMessage.objects.filter(key__startswith=f"application-{application.pk}-")
    assert sorted(notices.values_list("to", flat=True)) == sorted(
        {national_office.email, "admissions@example.org"}
    )
    with travel(REAPPLIED_ON):
        services.approve_application(actor=national_office, application=application)
    assert reload(member).status == MemberStatus.MEMBER


def test_reapplying_from_another_account_with_the_same_email_goes_to_the_national_office(
    london: Branch, leeds: Branch, dues_rates: Any, leeds_organiser: Any
) -> None:
    member = left_while_suspended(london)
    new_account = UserFactory(username="kit2", email=member.user.email.upper())

    application = reapply(new_account, leeds)

    with travel(REAPPLIED_ON), pytest.raises(MembershipError, match="national office"):
        services.decline_application(actor=leeds_organiser, application=application, reason="No")
    assert reload(application).decision == ApplicationDecision.PENDING
    assert leeds_organiser.email not in OutboundMessage.objects.values_list("to", flat=True)


def test_a_currently_suspended_person_applying_from_another_account_goes_to_the_national_office(
    london: Branch, leeds: Branch, dues_rates: Any, leeds_organiser: Any
) -> None:
    member = suspended_member(london)
    new_account = UserFactory(username="kit2", email=member.user.email.title())

    application = reapply(new_account, leeds)

    with travel(REAPPLIED_ON), pytest.raises(MembershipError, match="national office"):
        services.approve_application(actor=leeds_organiser, application=application)


def test_the_application_page_shows_the_history_to_the_national_office_only(
    client: Any, london: Branch, leeds: Branch, dues_rates: Any, national_office: Any, leeds_organiser: Any
) -> None:
    member = left_while_suspended(london)
    application = reapply(member.user, leeds)

    client.force_login(national_office)
    page = client.get(reverse("members:application_detail", args=[application.pk]))
    client.force_login(leeds_organiser)
    organisers_page = client.get(reverse("members:application_detail", args=[application.pk]))
    organisers_queue = client.get(reverse("members:application_queue"))

    text = page.content.decode()
    assert "Left while suspended on 8 April 2024" in text
    assert SUSPENSION_REASON in text
    assert "suspended on 4 March 2024" in text
    assert organisers_page.status_code == 404
    queue = organisers_queue.content.decode()
    assert "With the national office" in queue
    assert reverse("members:application_detail", args=[application.pk]) not in queue


def test_the_organiser_cannot_approve_through_the_page(
    client: Any, london: Branch, leeds: Branch, dues_rates: Any, leeds_organiser: Any
) -> None:
    member = left_while_suspended(london)
    application = reapply(member.user, leeds)
    client.force_login(leeds_organiser)

    with travel(REAPPLIED_ON):
        response = client.post(
            reverse("members:application_detail", args=[application.pk]), {"action": "approve"}
        )

    assert response.status_code == 404
    assert reload(application).decision == ApplicationDecision.PENDING


# Controls: who is not held back ------------------------------------------------------------
def test_someone_who_resigned_in_good_standing_goes_to_the_branch_organiser(
    london: Branch, leeds: Branch, dues_rates: Any, leeds_organiser: Any
) -> None:
    member = make_member(london, joined_on=JOINED)
    change_status(member, MemberStatus.RESIGNED, on=LEFT_ON, by=member.user, reason="Moving")

    application = reapply(member.user, leeds)

    with travel(REAPPLIED_ON):
        services.approve_application(actor=leeds_organiser, application=application)
    assert reload(member).status == MemberStatus.MEMBER


def test_a_lifted_suspension_does_not_follow_the_person(
    london: Branch, leeds: Branch, dues_rates: Any, leeds_organiser: Any
) -> None:
    member = suspended_member(london)
    change_status(member, MemberStatus.MEMBER, on=dt.date(2024, 3, 20), reason="Complaint withdrawn")
    change_status(member, MemberStatus.RESIGNED, on=LEFT_ON, by=member.user, reason="Moving")

    application = reapply(member.user, leeds)

    with travel(REAPPLIED_ON):
        services.approve_application(actor=leeds_organiser, application=application)
    assert reload(member).status == MemberStatus.MEMBER
