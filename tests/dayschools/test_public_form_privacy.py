"""The public booking form is no oracle, and a booking made on it is a guest's until its member claims it.

The page, its status and its message are the same whether the address is a
member's, has booked before as a guest (this event or another), or is new;
each post queues exactly one e-mail to the address, which says what
happened. A member's address typed in by anyone leaves the member's record
alone until the member, logged in, follows the link sent to that address.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry, OutboundMessage
from dayschools import mail, services
from dayschools.models import Booking, Event
from members.models import Member
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.usefixtures("booking_time")

RANDOM = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'nonce="[^"]*"'),
]


def post(event: Event, email: str) -> tuple[int, str, str]:
    """What a stranger sees when posting the form with ``email``: status, where it leads, the page there."""
    cache.clear()  # the per-client rate limit is not what is compared here
    response = Client().post(
        reverse("dayschools:book", args=[event.pk]),
        {"name": "Some Body", "email": email, "phone": "", "how_heard": "friend", "website": ""},
        follow=True,
    )
    page = response.content.decode()
    for pattern in RANDOM:
        page = pattern.sub("", page)
    if not response.redirect_chain:
        return response.status_code, "", page
    return response.redirect_chain[0][1], response.redirect_chain[-1][0], page


@pytest.fixture
def addresses(london_event: Event, leeds_event: Event, member: Member) -> dict[str, str]:
    """A new address, a member's, a guest's who booked this event, a guest's who booked another, and a
    member who booked this event for themselves."""
    services.book_guest(event=london_event, name="Gail Guest", email="gail@example.org")
    services.book_guest(event=leeds_event, name="Lee Guest", email="lee@example.org")
    booked = make_member(member.branch, user=UserFactory(username="bo", email="bo@example.org"))
    services.book_member(member=booked, event=london_event)
    return {
        "new": "new.person@example.org",
        "member": "Rosa@Example.org",
        "guest of this event": "GAIL@example.org",
        "guest of another event": "lee@example.org",
        "member who booked": "bo@example.org",
    }


def test_the_answer_is_the_same_whoever_s_address_it_is(
    london_event: Event, addresses: dict[str, str]
) -> None:
    answers = {who: post(london_event, email) for who, email in addresses.items()}

    new = answers.pop("new")
    assert new[0] == 302 and new[1] == reverse("dayschools:booked", args=[london_event.pk])
    assert "Check your e-mail: we have sent you a message about this booking." in new[2]
    for who, answer in answers.items():
        assert answer == new, who


def test_every_post_queues_exactly_one_email_to_the_address(
    london_event: Event, addresses: dict[str, str]
) -> None:
    for who, email in addresses.items():
        before = set(OutboundMessage.objects.values_list("pk", flat=True))

        post(london_event, email)

        queued = OutboundMessage.objects.exclude(pk__in=before)
        assert [m.to.lower() for m in queued] == [email.lower()], who


def test_a_second_booking_with_a_booked_address_is_not_made_and_the_holder_is_told(
    london_event: Event, addresses: dict[str, str]
) -> None:
    gail = Booking.objects.get(email="gail@example.org")
    before = Booking.objects.count()

    post(london_event, "GAIL@example.org")

    assert Booking.objects.count() == before
    told = OutboundMessage.objects.filter(to="gail@example.org").exclude(key__endswith="-confirmation").get()
    assert told.subject.startswith("Already booked")
    assert mail.booking_token(gail) in told.body_text
    # The form's name is not put into the mail: only the holder's own booking is described.
    assert "Some Body" not in told.body_text


# Claiming ---------------------------------------------------------------------------------------------
@pytest.fixture
def typed_in(london_event: Event, member: Member) -> Booking:
    """Someone, not logged in, booked with Rosa's address under another name."""
    post(london_event, "rosa@example.org")
    return Booking.objects.get(email="rosa@example.org")


def claim_url(booking: Booking, member: Member) -> str:
    return reverse("dayschools:booking_claim", args=[mail.claim_token(booking, member.pk)])


def test_a_booking_with_a_member_s_address_is_not_on_their_record(typed_in: Booking, member: Member) -> None:
    assert typed_in.member is None
    assert not member.dayschool_bookings.exists()
    sent = OutboundMessage.objects.get(key=f"dayschool-booking-{typed_in.pk}-confirmation")
    assert claim_url(typed_in, member) in sent.body_text


def test_the_member_claims_it_from_the_link_when_logged_in(
    client: Client, typed_in: Booking, member: Member
) -> None:
    client.force_login(member.user)
    url = claim_url(typed_in, member)

    assert client.get(url).status_code == 200
    response = client.post(url)

    assert response.status_code == 302
    typed_in.refresh_from_db()
    assert typed_in.member == member
    assert AuditEntry.objects.filter(action="dayschool.booking_claimed").count() == 1


def test_the_link_needs_a_login(client: Client, typed_in: Booking, member: Member) -> None:
    response = client.post(claim_url(typed_in, member))

    assert response.status_code == 302 and "login" in response["Location"]
    typed_in.refresh_from_db()
    assert typed_in.member is None


def test_someone_else_logged_in_cannot_use_the_link(
    client: Client, typed_in: Booking, member: Member, outsider: Any
) -> None:
    client.force_login(outsider)

    assert client.get(claim_url(typed_in, member)).status_code == 404
    response = client.post(claim_url(typed_in, member))

    assert response.status_code == 404
    typed_in.refresh_from_db()
    assert typed_in.member is None


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # tampered signature
        lambda token: mail.booking_token(Booking.objects.get(email="rosa@example.org")),  # another salt
    ],
    ids=["tampered", "a booking link"],
)
def test_a_wrong_token_does_nothing(client: Client, typed_in: Booking, member: Member, spoil: Any) -> None:
    client.force_login(member.user)
    token = spoil(mail.claim_token(typed_in, member.pk))

    response = client.post(reverse("dayschools:booking_claim", args=[token]))

    assert response.status_code == 400
    typed_in.refresh_from_db()
    assert typed_in.member is None


def test_a_link_made_for_another_member_does_nothing(
    client: Client, typed_in: Booking, member: Member
) -> None:
    other = make_member(member.branch, user=UserFactory(username="other", email="other@example.org"))
    client.force_login(other.user)

    response = client.post(claim_url(typed_in, other))

    # The booking was not made with their address: refused, nothing changed.
    assert response.status_code == 409
    typed_in.refresh_from_db()
    assert typed_in.member is None


def test_a_member_who_booked_already_cannot_claim_a_second_booking(
    client: Client, london_event: Event, member: Member
) -> None:
    services.book_member(member=member, event=london_event)
    member.user.email = "rosa.new@example.org"
    member.user.save(update_fields=["email"])
    post(london_event, "rosa.new@example.org")
    second = Booking.objects.get(email="rosa.new@example.org")
    client.force_login(member.user)

    response = client.post(claim_url(second, member))

    assert response.status_code == 409
    second.refresh_from_db()
    assert second.member is None
