"""Applying to join, and the branch organiser's decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from awl.models import AuditEntry, OutboundMessage
from members import services
from members.models import (
    Application,
    ApplicationDecision,
    Branch,
    Member,
    MemberStatus,
    Role,
    StatusChange,
)
from members.services import MembershipError
from tests.factories import UserFactory, make_application, make_officer, reload, travel

DECIDED_ON = dt.date(2025, 3, 4)


def apply(user: Any, branch: Branch, **overrides: Any) -> Application:
    fields = {
        "full_name": "Dana Whitfield",
        "agrees_with_aims": True,
        "statement": "Saw you at the picket line.",
    }
    return services.apply_for_membership(actor=user, branch=branch, **{**fields, **overrides})


# Applying --------------------------------------------------------------------------------
def test_apply_creates_an_applicant_with_a_pending_application(london: Branch, outsider: Any) -> None:
    application = apply(outsider, london, phone="07700 900456", dues_band="low_waged")

    member = application.member
    assert (application.decision, application.branch) == (ApplicationDecision.PENDING, london)
    assert (member.user, member.status, member.full_name, member.dues_band) == (
        outsider,
        MemberStatus.APPLICANT,
        "Dana Whitfield",
        "low_waged",
    )
    assert member.joined_on is None
    assert list(member.status_changes.values_list("status", flat=True)) == [MemberStatus.APPLICANT]
    entry = AuditEntry.objects.get(action="application.submitted")
    assert (entry.actor, entry.target_id) == (outsider, str(member.pk))


def test_apply_needs_a_verified_email_address(london: Branch) -> None:
    unverified = UserFactory(verified=False)

    with pytest.raises(MembershipError, match="verify your e-mail"):
        apply(unverified, london)

    assert not Member.objects.exists()
    assert not Application.objects.exists()


def test_apply_needs_agreement_with_the_aims(london: Branch, outsider: Any) -> None:
    with pytest.raises(MembershipError, match="aims"):
        apply(outsider, london, agrees_with_aims=False)

    assert not Member.objects.exists()


def test_apply_twice_while_pending_is_refused(london: Branch, leeds: Branch, outsider: Any) -> None:
    apply(outsider, london)

    with pytest.raises(MembershipError, match="already waiting"):
        apply(outsider, leeds)

    assert Application.objects.filter(member__user=outsider).count() == 1
    assert reload(outsider.member).branch == london


def test_database_refuses_a_second_pending_application_for_one_member(applicant: Application) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(member=applicant.member, branch=applicant.branch, agrees_with_aims=True)

    assert Application.objects.count() == 1


def test_database_refuses_an_application_without_agreement_with_the_aims(applicant: Application) -> None:
    services.decline_application(
        actor=make_officer(Role.NATIONAL_OFFICE), application=applicant, reason="Testing the constraint"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(member=applicant.member, branch=applicant.branch, agrees_with_aims=False)


def test_member_in_good_standing_cannot_apply(member: Member) -> None:
    with pytest.raises(MembershipError, match="already a member"):
        apply(member.user, member.branch)

    assert member.applications.count() == 1


def test_apply_notifies_the_branch_organiser_and_no_other(
    london: Branch, london_organiser: Any, leeds_organiser: Any, outsider: Any
) -> None:
    application = apply(outsider, london)

    notices = OutboundMessage.objects.filter(key__startswith=f"application-{application.pk}-received")
    assert list(notices.values_list("to", flat=True)) == [london_organiser.email]


# Approving ---------------------------------------------------------------------------------
def test_branch_organiser_approves_an_application(
    london: Branch, dues_rates: Any, london_organiser: Any, outsider: Any
) -> None:
    application = make_application(london, on=dt.date(2025, 3, 1), user=outsider)

    with travel(DECIDED_ON):
        services.approve_application(actor=london_organiser, application=application)

    member = reload(application.member)
    assert (member.status, member.joined_on, member.dues_from) == (
        MemberStatus.MEMBER,
        DECIDED_ON,
        DECIDED_ON,
    )
    decided = reload(application)
    assert (decided.decision, decided.decided_by) == (ApplicationDecision.APPROVED, london_organiser)
    admission = member.status_changes.last()
    assert (admission.status, admission.effective_on, admission.actor) == (
        MemberStatus.MEMBER,
        DECIDED_ON,
        london_organiser,
    )
    entry = AuditEntry.objects.get(action="application.approved")
    assert (entry.actor, entry.target_id) == (london_organiser, str(member.pk))
    welcome = OutboundMessage.objects.get(key=f"application-{application.pk}-approved")
    assert welcome.to == outsider.email
    assert welcome.status == OutboundMessage.Status.PENDING


def test_approval_email_is_sent_after_commit(
    london: Branch,
    london_organiser: Any,
    outsider: Any,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: Any,
) -> None:
    application = apply(outsider, london)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_application(actor=london_organiser, application=application)

    assert [m.to for m in mailoutbox] == [[outsider.email]]
    assert OutboundMessage.objects.get(key=f"application-{application.pk}-approved").status == "sent"


def test_organiser_of_another_branch_cannot_approve(applicant: Application, leeds_organiser: Any) -> None:
    with pytest.raises(MembershipError, match="London"):
        services.approve_application(actor=leeds_organiser, application=applicant)

    assert reload(applicant).decision == ApplicationDecision.PENDING
    assert reload(applicant.member).status == MemberStatus.APPLICANT
    assert not StatusChange.objects.filter(status=MemberStatus.MEMBER).exists()
    assert not AuditEntry.objects.filter(action="application.approved").exists()
    assert not OutboundMessage.objects.filter(key__endswith="-approved").exists()


def test_treasurer_cannot_decide_applications(applicant: Application, treasurer: Any) -> None:
    with pytest.raises(MembershipError):
        services.approve_application(actor=treasurer, application=applicant)

    assert reload(applicant).decision == ApplicationDecision.PENDING


def test_national_office_can_decide_an_application_to_any_branch(
    london: Branch, leeds: Branch, national_office: Any
) -> None:
    to_london = apply(UserFactory(), london)
    to_leeds = apply(UserFactory(), leeds)

    services.approve_application(actor=national_office, application=to_london)
    services.decline_application(actor=national_office, application=to_leeds, reason="Lives in Glasgow")

    assert reload(to_london).decision == ApplicationDecision.APPROVED
    assert reload(to_leeds).decision == ApplicationDecision.DECLINED


def test_an_application_is_decided_only_once(applicant: Application, london_organiser: Any) -> None:
    services.approve_application(actor=london_organiser, application=applicant)

    with pytest.raises(MembershipError, match="already approved"):
        services.approve_application(actor=london_organiser, application=applicant)
    with pytest.raises(MembershipError, match="already approved"):
        services.decline_application(actor=london_organiser, application=applicant, reason="Changed my mind")

    assert reload(applicant).decision == ApplicationDecision.APPROVED
    assert applicant.member.status_changes.filter(status=MemberStatus.MEMBER).count() == 1


# Declining ----------------------------------------------------------------------------------
@pytest.mark.parametrize("reason", ["", "  "])
def test_declining_needs_a_reason(applicant: Application, london_organiser: Any, reason: str) -> None:
    with pytest.raises(MembershipError, match="reason"):
        services.decline_application(actor=london_organiser, application=applicant, reason=reason)

    assert reload(applicant).decision == ApplicationDecision.PENDING
    assert not OutboundMessage.objects.filter(key__endswith="-declined").exists()


def test_declining_records_and_emails_the_reason(applicant: Application, london_organiser: Any) -> None:
    reason = "We could not reach you at the number you gave; please get in touch with the branch."

    services.decline_application(actor=london_organiser, application=applicant, reason=reason)

    declined = reload(applicant)
    assert (declined.decision, declined.reason, declined.decided_by) == (
        ApplicationDecision.DECLINED,
        reason,
        london_organiser,
    )
    assert reload(applicant.member).status == MemberStatus.APPLICANT
    entry = AuditEntry.objects.get(action="application.declined")
    assert entry.actor == london_organiser
    message = OutboundMessage.objects.get(key=f"application-{applicant.pk}-declined")
    assert message.to == "jo@example.org"
    assert reason in message.body_text


def test_declined_applicant_may_apply_again(applicant: Application, london_organiser: Any) -> None:
    services.decline_application(actor=london_organiser, application=applicant, reason="Incomplete")

    second = apply(applicant.member.user, applicant.branch)

    assert second.decision == ApplicationDecision.PENDING
    assert applicant.member.applications.count() == 2
