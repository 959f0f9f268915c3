"""Registration payments: treasurers and national office record them; what is still owed, with totals.

A registration is a person's record, so its payment page is a 404 to those
who do not record payments; the list of what is owed is a 403 to them.
Paying more than is owed, a zero amount or a date to come is refused with
nothing written. The list runs a fixed number of queries.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from conference.models import Band, Conference, Registration, RegistrationPayment
from conference.registration import services
from members.models import Branch, Member
from tests.conference.conftest import paid_up_member
from tests.helpers.http import as_user, text


def url(name: str, *args: Any) -> str:
    return reverse(f"conference:{name}", args=args)


def register(member: Member, conference: Conference, band: str = Band.WAGED) -> Registration:
    return services.register(member=member, conference=conference, fee_band=band)


def pay(registration: Registration, amount: str, by: Any) -> None:
    services.record_registration_payment(
        actor=by, registration=registration, amount=Decimal(amount), paid_on=registration.created_at.date()
    )


PAYMENT = {"paid_on": "2027-03-09", "amount": "20.00", "method": "Cash at the branch meeting"}


def test_a_treasurer_records_a_payment_against_a_registration(
    client: Client, conference: Conference, delegate: Member, treasurer: Any, registering: Any
) -> None:
    registration = register(delegate, conference)
    as_user(client, treasurer)

    page = text(client.get(url("record_payment", registration.pk)))
    response = client.post(url("record_payment", registration.pk), PAYMENT, follow=True)

    assert "Dora Delegate" in page and 'Still owed</dt><dd class="col-6"><strong>£30.00' in page
    assert "Access needs" not in page  # the treasurer is shown no needs
    assert response.redirect_chain == [(url("outstanding", conference.slug), 302)]
    assert "£20.00 recorded for Dora Delegate." in text(response)
    payment = RegistrationPayment.objects.get()
    assert (payment.amount, payment.method, payment.recorded_by) == (
        Decimal("20.00"),
        "Cash at the branch meeting",
        treasurer,
    )
    assert AuditEntry.objects.filter(action="conference.payment_recorded").count() == 1


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"amount": "30.01"}, 409, "That is more than the £30.00 still owed."),
        ({"amount": "0"}, 200, "A payment needs an amount."),
        ({"paid_on": "2027-03-11"}, 200, "That date is in the future."),
        ({"amount": "ten pounds"}, 200, "Enter a number."),
    ],
)
def test_a_payment_beyond_what_is_owed_or_without_an_amount_or_dated_ahead_is_refused(
    client: Client,
    conference: Conference,
    delegate: Member,
    treasurer: Any,
    registering: Any,
    data: dict[str, str],
    status: int,
    message: str,
) -> None:
    registration = register(delegate, conference)

    response = as_user(client, treasurer).post(url("record_payment", registration.pk), {**PAYMENT, **data})

    assert response.status_code == status
    assert message in text(response)
    assert not RegistrationPayment.objects.exists()


def test_the_outstanding_list_shows_who_owes_what_with_totals(
    client: Client,
    conference: Conference,
    delegate: Member,
    london: Branch,
    national_office: Any,
    registering: Any,
) -> None:
    dora = register(delegate, conference)  # £30, pays £10
    pay(dora, "10.00", national_office)
    paid_in_full = register(paid_up_member(london, "Pat Paid"), conference, Band.LOW_WAGED)
    pay(paid_in_full, "15.00", national_office)
    register(paid_up_member(london, "Olly Owing"), conference, Band.SOLIDARITY)  # £50, nothing paid
    cancelled = register(paid_up_member(london, "Cal Cancelled"), conference)
    services.cancel_registration(
        actor=Member.objects.get(full_name="Cal Cancelled").user, registration=cancelled
    )

    response = as_user(client, national_office).get(url("outstanding", conference.slug))

    rows = [(r.name, r.paid, r.outstanding) for r in response.context["rows"]]
    assert rows == [
        ("Dora Delegate", Decimal("10.00"), Decimal("20.00")),
        ("Olly Owing", 0, Decimal("50.00")),
    ]
    totals = response.context["totals"]
    assert (totals.count, totals.due, totals.paid, totals.outstanding) == (2, 80, 10, 70)
    page = text(response)
    assert "<strong>£70.00</strong>" in page
    assert f'href="{url("record_payment", dora.pk)}"' in page
    searched = client.get(url("outstanding", conference.slug), {"q": "olly"}).context["rows"]
    assert [r.name for r in searched] == ["Olly Owing"]


def test_the_outstanding_list_runs_the_same_queries_however_long_it_is(
    client: Client,
    conference: Conference,
    delegate: Member,
    london: Branch,
    leeds: Branch,
    treasurer: Any,
    national_office: Any,
    registering: Any,
    django_assert_max_num_queries: Any,
) -> None:
    pay(register(delegate, conference), "5.00", national_office)
    as_user(client, treasurer)
    with django_assert_max_num_queries(30) as small:
        client.get(url("outstanding", conference.slug))

    for number in range(12):
        registration = register(
            paid_up_member(leeds if number % 2 else london, f"Person {number}"), conference
        )
        pay(registration, "5.00", national_office)
        pay(registration, "1.00", national_office)
    with django_assert_max_num_queries(30) as large:
        response = client.get(url("outstanding", conference.slug))

    assert len(response.context["rows"]) == 13
    assert len(large.captured_queries) == len(small.captured_queries)


def test_only_treasurers_and_national_office_see_payments(
    client: Client,
    conference: Conference,
    delegate: Member,
    london_organiser: Any,
    cac: Any,
    registering: Any,
) -> None:
    registration = register(delegate, conference)

    for person in (delegate, london_organiser, cac):
        as_user(client, person)
        assert client.get(url("outstanding", conference.slug)).status_code == 403
        assert client.get(url("record_payment", registration.pk)).status_code == 404
        assert client.post(url("record_payment", registration.pk), PAYMENT).status_code == 404
    assert not RegistrationPayment.objects.exists()
