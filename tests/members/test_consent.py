"""A contact's consent changed on the site, and a member's own: recorded as dated rows, audited, honoured."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from awl import outbox
from awl.models import AuditEntry, OutboundMessage
from members import services
from members.consent import change_contact_consents
from members.models import Branch, Channel, Consent, Contact, Member

CHANGE = {"consent_email": "", "consent_phone": "on", "source": "told us by phone"}  # e-mail off, phone on


@pytest.fixture
def sam(london: Branch) -> Contact:
    """A London contact who agreed to e-mail (not phone) at a stall."""
    return services.create_contact(
        actor=None,
        details={"full_name": "Sam Contact", "email": "sam@example.org", "branch": london},
        consents={Channel.EMAIL: True, Channel.PHONE: False},
        source="stall",
    )


def consents_url(contact: Contact) -> str:
    return reverse("members:contact_consents", args=[contact.pk])


def test_the_contact_page_offers_the_consent_form_to_its_organiser(
    client: Client, london_organiser: Any, sam: Contact
) -> None:
    client.force_login(london_organiser)

    response = client.get(reverse("members:contact_detail", args=[sam.pk]))

    assert response.status_code == 200
    assert f'action="{consents_url(sam)}"'.encode() in response.content
    assert b"How did they tell us?" in response.content


@pytest.mark.parametrize("officer", ["london_organiser", "national_office"])
def test_an_officer_who_manages_the_contact_records_a_change_of_consent(
    client: Client, sam: Contact, officer: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(officer)
    client.force_login(user)

    response = client.post(consents_url(sam), CHANGE)

    assert response.status_code == 302
    assert services.current_consents(sam) == {
        Channel.EMAIL: False,
        Channel.PHONE: True,
        Channel.SMS: False,
        Channel.POST: False,
    }
    # New dated rows with their source; the stall's rows stay as they were.
    new = Consent.objects.filter(contact=sam, source="told us by phone")
    assert sorted(new.values_list("channel", "granted")) == [
        ("email", False),
        ("phone", True),
        ("post", False),
        ("sms", False),
    ]
    assert Consent.objects.filter(contact=sam, source="stall").count() == 2
    entry = AuditEntry.objects.get(action="contact.consents_changed")
    assert (entry.actor_id, entry.target_id) == (user.pk, str(sam.pk))
    assert entry.detail["source"] == "told us by phone"
    assert entry.detail["consents"]["email"] is False and entry.detail["consents"]["phone"] is True


def test_the_withdrawal_is_honoured_by_the_outbox(
    client: Client, london_organiser: Any, sam: Contact
) -> None:
    client.force_login(london_organiser)

    client.post(consents_url(sam), CHANGE)

    assert (
        outbox.queue_email(
            key="news-sam", to="sam@example.org", template="members/welcome", context={}, transactional=False
        )
        is None
    )


@pytest.mark.parametrize("who", ["leeds_organiser", "member", "treasurer", "outsider"])
def test_someone_who_may_not_manage_the_contact_cannot_change_its_consent(
    client: Client, sam: Contact, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    user = user.user if isinstance(user, Member) else user
    client.force_login(user)

    response = client.post(consents_url(sam), CHANGE)

    assert response.status_code == 404
    assert services.current_consents(sam)[Channel.EMAIL] is True
    assert Consent.objects.filter(contact=sam).count() == 2
    assert not AuditEntry.objects.filter(action="contact.consents_changed").exists()


def test_the_service_refuses_an_officer_of_another_branch(leeds_organiser: Any, sam: Contact) -> None:
    with pytest.raises(services.MembershipError):
        change_contact_consents(
            actor=leeds_organiser, contact=sam, consents={Channel.EMAIL: False}, source="told us by phone"
        )
    assert services.current_consents(sam)[Channel.EMAIL] is True


def test_a_change_without_its_source_is_not_recorded(
    client: Client, london_organiser: Any, sam: Contact
) -> None:
    client.force_login(london_organiser)

    response = client.post(consents_url(sam), {**CHANGE, "source": "  "})

    assert response.status_code == 200
    assert "source" in response.context["form"].errors
    assert Consent.objects.filter(contact=sam).count() == 2


def test_nothing_changed_writes_no_row_and_no_audit(
    client: Client, london_organiser: Any, sam: Contact
) -> None:
    client.force_login(london_organiser)

    response = client.post(consents_url(sam), {"consent_email": "on", "source": "asked again"})

    assert response.status_code == 302
    # Only the channels never asked get a row (sms, post: no); e-mail and phone stand as they were.
    assert set(
        Consent.objects.filter(contact=sam, source="asked again").values_list("channel", flat=True)
    ) == {
        "sms",
        "post",
    }
    assert services.current_consents(sam)[Channel.EMAIL] is True


def test_an_erased_contacts_consent_cannot_be_changed(
    client: Client, national_office: Any, sam: Contact
) -> None:
    services.erase_contact(actor=national_office, contact=sam, reason="asked to be forgotten")
    client.force_login(national_office)

    response = client.post(consents_url(sam), CHANGE)

    assert response.status_code == 409
    assert not Consent.objects.filter(contact=sam, source="told us by phone").exists()


def test_a_member_withdraws_their_own_email_consent_and_gets_no_mailing(
    client: Client, member: Member
) -> None:
    services.update_own_details(actor=member.user, member=member, details={}, consents={Channel.EMAIL: True})
    client.force_login(member.user)
    form = {
        "full_name": member.full_name,
        "phone": member.phone,
        "workplace": member.workplace,
        "industry": member.industry,
        "trade_union": member.trade_union,
        "consent_phone": "on",
    }

    response = client.post(reverse("members:edit_my_details"), form)

    assert response.status_code == 302
    assert services.current_consents(member)[Channel.EMAIL] is False
    assert (
        outbox.queue_email(
            key="news-rosa",
            to="rosa@example.org",
            template="members/welcome",
            context={},
            transactional=False,
        )
        is None
    )
    assert not OutboundMessage.objects.filter(key="news-rosa").exists()
