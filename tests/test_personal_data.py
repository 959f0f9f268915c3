"""The personal-data registry: every model with a person's data is covered; retention runs and is reviewed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import reverse

from awl.audit import log_action
from awl.models import AuditEntry, OutboundMessage, RetentionHold
from awl.personal_data import covered_models, run_retention
from members import services
from members.models import Branch, Contact, Member, MemberStatus
from tests.factories import UserFactory, at_noon, change_status, make_application, make_member, reload, travel

# A model holds a person's data when it points at a person's row, or has a field that names or describes one.
PERSON_MODELS = {"auth.user", "members.member", "members.contact", "dayschools.booking"}
PERSON_FIELD_NAMES = {
    "full_name",
    "preferred_name",
    "phone",
    "email",
    "access_needs",
    "dietary_needs",
    "children_ages",
    "statement",
    "note",
    "notes",
    "how_met",
    "ballot_name",
    "requested_ballot_name",
}


def holds_personal_data(model: type[models.Model]) -> list[str]:
    """Why ``model`` holds a person's data (empty when it does not)."""
    reasons = []
    for field in model._meta.concrete_fields:
        related = field.related_model
        if field.is_relation and related is not None and not isinstance(related, str):
            if related._meta.label_lower in PERSON_MODELS:
                reasons.append(f"{field.name} -> {related._meta.label}")
        elif isinstance(field, models.EmailField) or field.name in PERSON_FIELD_NAMES:
            reasons.append(field.name)
    return reasons


def test_every_model_with_a_persons_data_is_covered_by_the_registry() -> None:
    covered = covered_models()
    missing = {
        model._meta.label: reasons
        for model in apps.get_models()
        if (reasons := holds_personal_data(model)) and model._meta.label_lower not in covered
    }
    assert missing == {}, "Declare these in the app's personal_data.py (awl.personal_data.Holding)"


def test_the_registry_names_only_models_that_exist() -> None:
    labels = {model._meta.label_lower for model in apps.get_models()}
    assert set(covered_models()) - labels == set()


def test_the_coverage_rule_recognises_personal_data() -> None:
    # The control for the test above: the rule does see the fields it is there to see.
    assert holds_personal_data(Contact) != []
    assert "member -> members.Member" in holds_personal_data(apps.get_model("members", "Payment"))
    assert holds_personal_data(apps.get_model("dayschools", "City")) == []


# The retention job --------------------------------------------------------------------------------
NOW = at_noon(dt.date(2026, 3, 2))


def mail(to: str, key: str, on: dt.datetime, status: str = OutboundMessage.Status.SENT) -> OutboundMessage:
    return OutboundMessage.objects.create(
        key=key,
        to=to,
        subject="Your booking",
        body_text=f"Body for {to}",
        status=status,
        created_at=on,
        sent_at=on if status == OutboundMessage.Status.SENT else None,
    )


@pytest.mark.django_db
def test_retention_empties_sent_mail_bodies_when_due_and_nothing_else() -> None:
    days = settings.AWL_RETAIN_SENT_MAIL_DAYS
    old = mail("old@example.org", "old", NOW - dt.timedelta(days=days + 1))
    recent = mail("recent@example.org", "recent", NOW - dt.timedelta(days=days - 1))
    pending = mail("pending@example.org", "pending", NOW - dt.timedelta(days=days + 5), "pending")

    with travel(NOW):
        counts = run_retention()

    assert counts["site.sent_mail"] == 1
    assert (reload(old).body_text, reload(old).subject) == ("", "Your booking")
    assert reload(recent).body_text == "Body for recent@example.org"
    assert reload(pending).body_text == "Body for pending@example.org"


@pytest.mark.django_db
def test_retention_run_twice_changes_nothing_the_second_time() -> None:
    mail("old@example.org", "old", NOW - dt.timedelta(days=settings.AWL_RETAIN_SENT_MAIL_DAYS + 1))

    with travel(NOW):
        first = run_retention()
        second = run_retention()

    assert first["site.sent_mail"] == 1
    assert set(second.values()) == {0}


@pytest.mark.django_db
def test_each_retention_run_writes_one_audit_entry_with_its_counts() -> None:
    mail("old@example.org", "old", NOW - dt.timedelta(days=settings.AWL_RETAIN_SENT_MAIL_DAYS + 1))

    with travel(NOW):
        counts = run_retention()

    [entry] = AuditEntry.objects.filter(action="retention.run")
    assert entry.detail["counts"] == counts
    assert entry.actor is None


@pytest.mark.django_db
def test_retention_keeps_who_did_what_in_the_audit_trail_and_drops_the_particulars() -> None:
    days = settings.AWL_RETAIN_AUDIT_DETAIL_DAYS
    with travel(NOW - dt.timedelta(days=days + 1)):
        old = log_action(actor=None, action="contact.updated", detail={"fields": ["phone"]})
    with travel(NOW - dt.timedelta(days=days - 1)):
        recent = log_action(actor=None, action="contact.updated", detail={"fields": ["city"]})

    with travel(NOW):
        run_retention()

    assert (reload(old).action, reload(old).detail) == ("contact.updated", {})
    assert reload(recent).detail == {"fields": ["city"]}


# The review ---------------------------------------------------------------------------------------
REVIEWED_ON = dt.date(2026, 6, 1)
LONG_AGO = dt.date(2023, 1, 10)


@pytest.fixture
def former_member(london: Branch, dues_rates: Any) -> Member:
    member = make_member(london, joined_on=LONG_AGO, full_name="Walter Oldham")
    return change_status(member, MemberStatus.RESIGNED, on=dt.date(2023, 6, 1))


@pytest.fixture
def declined_applicant(london: Branch, national_office: Any) -> Member:
    application = make_application(london, on=LONG_AGO, full_name="Dora Declined")
    with travel(LONG_AGO):
        services.decline_application(actor=national_office, application=application, reason="Not in our aims")
    return application.member


def review_page(client: Client) -> Any:
    with travel(REVIEWED_ON):
        return client.get(reverse("members:retention"))


def office_client(national_office: Any) -> Client:
    client = Client()
    with travel(REVIEWED_ON):
        client.force_login(national_office)
    return client


def test_the_review_lists_former_members_and_declined_applicants(
    former_member: Member, declined_applicant: Member, national_office: Any
) -> None:
    response = review_page(office_client(national_office))

    keys = {candidate.key for candidate, _url in response.context["rows"]}
    assert {f"member:{former_member.pk}", f"applicant:{declined_applicant.pk}"} <= keys


def keep(client: Client, subject: str, until: str, reason: str = "Their appeal is open") -> Any:
    with travel(REVIEWED_ON):
        return client.post(
            reverse("members:retention"), {"subject": subject, "reason": reason, "until": until}
        )


def test_a_kept_person_does_not_reappear_until_the_date(former_member: Member, national_office: Any) -> None:
    client = office_client(national_office)
    subject = f"member:{former_member.pk}"

    response = keep(client, subject, "2026-09-01")

    assert response.status_code == 302
    hold = RetentionHold.objects.get(subject=subject)
    assert (hold.reason, hold.until, hold.decided_by) == (
        "Their appeal is open",
        dt.date(2026, 9, 1),
        national_office,
    )
    assert AuditEntry.objects.filter(action="retention.kept", actor=national_office).count() == 1
    for day, listed in [(dt.date(2026, 8, 31), False), (dt.date(2026, 9, 1), True)]:
        with travel(day):
            client.force_login(national_office)
            keys = {c.key for c, _url in client.get(reverse("members:retention")).context["rows"]}
        assert (subject in keys) is listed, day


@pytest.mark.parametrize(
    ("until", "reason", "message"),
    [
        ("2026-05-01", "Appeal", "after today"),
        ("2026-09-01", "   ", "This field is required"),
        ("not a date", "Appeal", "valid date"),
        ("2031-01-01", "Appeal", "three years"),
    ],
)
def test_a_bad_keep_is_refused_with_a_message_and_changes_nothing(
    former_member: Member, national_office: Any, until: str, reason: str, message: str
) -> None:
    response = keep(office_client(national_office), f"member:{former_member.pk}", until, reason)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RetentionHold.objects.exists()


def test_only_someone_due_for_review_can_be_kept(
    london: Branch, dues_rates: Any, national_office: Any
) -> None:
    current = make_member(london, joined_on=LONG_AGO, full_name="Cora Current")

    response = keep(office_client(national_office), f"member:{current.pk}", "2026-09-01")

    assert response.status_code == 200
    assert "not due for review" in response.content.decode()
    assert not RetentionHold.objects.exists()


def test_an_organiser_cannot_see_or_keep(former_member: Member, london_organiser: Any) -> None:
    client = Client()
    with travel(REVIEWED_ON):
        client.force_login(london_organiser)

    assert review_page(client).status_code == 403
    assert keep(client, f"member:{former_member.pk}", "2026-09-01").status_code == 403
    assert not RetentionHold.objects.exists()


# National office's page for anyone's data, by address ---------------------------------------------
def test_national_office_exports_a_guests_data_by_address_and_it_is_audited(national_office: Any) -> None:
    mail("guest.person@example.net", "guest-1", at_noon(dt.date(2026, 5, 1)))
    client = office_client(national_office)

    with travel(REVIEWED_ON):
        url = reverse("members:person_data") + "?email=Guest.Person@example.net"
        response = client.post(url, {"action": "export"})

    data = json.loads(response.content)
    assert data["person"]["kind"] == "guest"
    assert [m["to"] for m in data["site"]["mail_sent_to_you"]] == ["guest.person@example.net"]
    assert AuditEntry.objects.filter(action="guest.data_exported", actor=national_office).count() == 1


def test_national_office_erases_a_guest_by_address(national_office: Any) -> None:
    message = mail("guest.person@example.net", "guest-1", at_noon(dt.date(2026, 5, 1)))
    client = office_client(national_office)

    with travel(REVIEWED_ON):
        url = reverse("members:person_data") + "?email=guest.person@example.net"
        response = client.post(url, {"action": "erase", "reason": "Asked by e-mail", "confirm": "on"})

    assert response.status_code == 302
    assert "guest.person" not in reload(message).to
    assert AuditEntry.objects.filter(action="guest.erased", actor=national_office).count() == 1


def test_the_person_page_is_national_office_only(london_organiser: Any) -> None:
    client = Client()
    with travel(REVIEWED_ON):
        client.force_login(london_organiser)
        response = client.get(reverse("members:person_data") + "?email=someone@example.org")

    assert response.status_code == 403


def test_a_contact_found_by_address_is_a_contact(national_office: Any, london: Branch) -> None:
    Contact.objects.create(full_name="Connie Contact", email="connie@example.net", branch=london)
    client = office_client(national_office)

    with travel(REVIEWED_ON):
        response = client.get(reverse("members:person_data") + "?email=CONNIE@example.net")

    assert response.context["person"].kind == "contact"
    assert "Connie Contact" in response.content.decode()


def test_a_member_found_by_address_is_the_member(
    national_office: Any, london: Branch, dues_rates: Any
) -> None:
    member = make_member(
        london, joined_on=LONG_AGO, user=UserFactory(email="mo@example.net"), full_name="Mo Member"
    )
    client = office_client(national_office)

    with travel(REVIEWED_ON):
        response = client.get(reverse("members:person_data") + "?email=mo@example.net")

    assert response.context["person"].member_id == member.pk


def test_the_review_reads_a_constant_number_of_queries(
    london: Branch, dues_rates: Any, national_office: Any, django_assert_max_num_queries: Any
) -> None:
    client = office_client(national_office)

    def add_former_people(n: int) -> None:
        for i in range(n):
            member = make_member(london, joined_on=LONG_AGO, full_name=f"Former {i}")
            change_status(member, MemberStatus.RESIGNED, on=dt.date(2023, 6, 1))
            contact = Contact.objects.create(full_name=f"Contact {i}", branch=london)
            Contact.objects.filter(pk=contact.pk).update(updated_at=at_noon(LONG_AGO))

    def queries_for_the_page() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with travel(REVIEWED_ON), CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("members:retention"))
        assert response.status_code == 200
        return len(captured)

    add_former_people(2)
    few = queries_for_the_page()
    add_former_people(6)
    with django_assert_max_num_queries(few), travel(REVIEWED_ON):
        response = client.get(reverse("members:retention"))
    assert len(response.context["rows"]) >= 16


def test_a_contact_who_became_a_member_is_erased_as_the_member(
    london: Branch, dues_rates: Any, national_office: Any
) -> None:
    member = make_member(london, joined_on=LONG_AGO, full_name="Becca Joined")
    contact = Contact.objects.create(full_name="Becca Joined", branch=london, became_member=member)

    with travel(REVIEWED_ON), pytest.raises(services.MembershipError, match="erase the member"):
        services.erase_contact(actor=national_office, contact=contact, reason="Asked")

    assert reload(contact).erased_at is None
