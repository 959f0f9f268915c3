"""Undelivered committee mail reaches the committee's secretary, who can resend it; nobody else can."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awl.audit import entries_for
from awl.models import OutboundMessage
from committees import notices, services
from committees.models import Committee, Meeting
from members.models import Member
from tests.helpers.clock import frozen, london_time


def failed(committee: Committee, to: str, *, key: str | None = None, **fields: Any) -> OutboundMessage:
    """A notice to ``to`` that failed for good after five attempts."""
    values: dict[str, Any] = {
        "status": OutboundMessage.Status.FAILED,
        "attempts": 5,
        "last_error": "550 mailbox unavailable",
        **fields,
    }
    return OutboundMessage.objects.create(
        key=key or f"test-{committee.slug}-{to}",
        to=to,
        subject=f"Notice of the {committee.name} meeting",
        body_text="Notice",
        group=notices.mail_group(committee),
        **values,
    )


def page(committee: Committee) -> str:
    return reverse("committees:failed_messages", args=[committee.slug])


def test_the_sweep_ties_committee_notices_to_the_committee(
    nc: Committee, nc_members: list[Member], secretary: Member
) -> None:
    with frozen(london_time(2026, 1, 5)):
        services.schedule_meetings(actor=secretary.user, committee=nc, until=dt.date(2026, 2, 28))
    meeting = Meeting.objects.get(committee=nc)
    with frozen(london_time(2026, 2, 7, 12)):
        notices.sweep(london_time(2026, 2, 7, 12))

    groups = set(
        OutboundMessage.objects.filter(key__startswith=f"meeting-{meeting.pk}-").values_list(
            "group", flat=True
        )
    )
    assert groups == {f"committee:{nc.pk}"}


def test_the_secretary_sees_the_committees_failed_and_retrying_mail_only(
    client: Client, nc: Committee, ec: Committee, secretary: Member
) -> None:
    gone = failed(nc, "gone@example.org")
    retrying = failed(
        nc,
        "slow@example.org",
        status=OutboundMessage.Status.PENDING,
        attempts=2,
        last_error="451 try later",
        next_attempt_at=timezone.now() + dt.timedelta(minutes=4),
    )
    failed(nc, "fine@example.org", status=OutboundMessage.Status.SENT, attempts=1, last_error="")
    failed(nc, "waiting@example.org", status=OutboundMessage.Status.PENDING, attempts=0, last_error="")
    failed(ec, "ec-only@example.org")
    client.force_login(secretary.user)

    response = client.get(page(nc))

    assert response.status_code == 200
    assert {m.pk for m in response.context["rows"]} == {gone.pk, retrying.pk}
    html = response.content.decode()
    assert "gone@example.org" in html and "550 mailbox unavailable" in html
    assert "451 try later" in html
    assert "ec-only@example.org" not in html


def test_the_secretary_resends_a_failed_message_and_it_goes_out(
    client: Client,
    nc: Committee,
    secretary: Member,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Any,
) -> None:
    message = failed(nc, "gone@example.org")
    client.force_login(secretary.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(nc), {"message": message.pk})

    assert response.status_code == 302
    message.refresh_from_db()
    # Attempts start again from 0 (the earlier count is in the audit entry); this send was the first.
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert [m.to for m in mailoutbox] == [["gone@example.org"]]
    [entry] = entries_for(message).filter(action="mail.resent")
    assert entry.actor_id == secretary.user_id
    assert entry.detail["attempts"] == 5
    assert entry.detail["last_error"] == "550 mailbox unavailable"


def test_resend_is_queued_after_commit_and_left_pending_until_then(nc: Committee, secretary: Member) -> None:
    message = failed(nc, "gone@example.org")
    before = timezone.now()

    services.resend_committee_message(actor=secretary.user, committee=nc, message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundMessage.Status.PENDING, 0)
    assert message.next_attempt_at >= before


def test_resend_of_a_retrying_message_brings_it_forward_and_keeps_its_count(
    nc: Committee, secretary: Member
) -> None:
    message = failed(
        nc,
        "slow@example.org",
        status=OutboundMessage.Status.PENDING,
        attempts=3,
        next_attempt_at=timezone.now() + dt.timedelta(minutes=16),
    )

    services.resend_committee_message(actor=secretary.user, committee=nc, message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundMessage.Status.PENDING, 3)
    assert message.next_attempt_at <= timezone.now()


def test_a_sent_message_is_not_resent(client: Client, nc: Committee, secretary: Member) -> None:
    message = failed(nc, "fine@example.org", status=OutboundMessage.Status.SENT, attempts=1, last_error="")
    client.force_login(secretary.user)

    response = client.post(page(nc), {"message": message.pk})

    assert response.status_code == 409
    assert "already been sent" in response.content.decode()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundMessage.Status.SENT, 1)
    assert not entries_for(message).exists()


def test_another_committees_message_cannot_be_resent_from_this_page(
    client: Client, nc: Committee, ec: Committee, secretary: Member
) -> None:
    """Ada is secretary of both, but the NC page only resends the NC's mail."""
    ec_message = failed(ec, "ec@example.org")
    client.force_login(secretary.user)

    response = client.post(page(nc), {"message": ec_message.pk})

    assert response.status_code == 409
    ec_message.refresh_from_db()
    assert ec_message.status == OutboundMessage.Status.FAILED


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_committee_member_who_is_not_its_secretary_cannot_see_or_resend(
    client: Client, nc: Committee, plain_member: Member, method: str
) -> None:
    message = failed(nc, "gone@example.org")
    client.force_login(plain_member.user)

    response = getattr(client, method)(page(nc), {"message": message.pk})

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED


def test_the_service_refuses_someone_who_is_not_the_secretary(nc: Committee, plain_member: Member) -> None:
    message = failed(nc, "gone@example.org")

    with pytest.raises(services.CommitteeError, match="Only the secretary"):
        services.resend_committee_message(actor=plain_member.user, committee=nc, message_id=message.pk)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED


def test_the_committee_page_shows_the_failed_count_to_the_secretary_only(
    client: Client, nc: Committee, secretary: Member, plain_member: Member
) -> None:
    failed(nc, "one@example.org")
    failed(nc, "two@example.org")
    failed(nc, "three@example.org", status=OutboundMessage.Status.PENDING, attempts=1)
    url = reverse("committees:committee_detail", args=[nc.slug])

    client.force_login(secretary.user)
    as_secretary = client.get(url).content.decode()
    client.force_login(plain_member.user)
    as_member = client.get(url).content.decode()

    assert "2 failed" in as_secretary
    assert page(nc) in as_secretary
    assert "2 failed" not in as_member
    assert page(nc) not in as_member
