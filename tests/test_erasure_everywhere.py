"""Erasure and export across every app, tried as a data-protection officer would.

One person is seeded with a unique marker in every personal field every app
holds (membership, contact, conference registration and needs, day-school
bookings and follow-up notes, committee apologies, an election nomination,
the outbox). Their export must hold a value from every app; after erasure,
no text column of any table in the database may hold any marker.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from committees.models import Meeting
from committees.services import send_apologies
from conference.elections.services import nominations
from conference.models import Band, Registration
from conference.registration import services as registration
from dayschools import services as dayschools
from dayschools.models import Booking
from members import selectors, services
from members.models import Branch, Contact, Member
from tests.conference.election_objects import ec_election
from tests.conference.register_objects import conference_taking_registrations
from tests.dayschools.booking_objects import open_event
from tests.factories import UserFactory, at_noon, make_member, national_committee, pay, reload, travel

NOW = at_noon(dt.date(2026, 3, 2))

# Each marker is found nowhere else: its nonce ("kx7…") is what the scan looks for.
NAME = "Quennell Marrowby"
FIRST, LAST = "Quennell", "Marrowby"
EMAIL = "q.marrowby.kx7mail@example.net"
PHONE = "07700 917345"
MARKERS = {
    "name": "Marrowby",
    "first name": "Quennell",
    "email": "kx7mail",
    "phone": "917345",
    "workplace": "kx7work",
    "statement": "kx7joining",
    "contact notes": "kx7notes",
    "how met": "kx7howmet",
    "access needs": "kx7access",
    "dietary needs": "kx7diet",
    "follow-up note": "kx7follow",
    "apology note": "kx7apology",
    "nomination statement": "kx7nominated",
}


@pytest.fixture
def quennell(leeds: Branch, dues_rates: Any, national_office: Any) -> Member:
    """A Leeds member with a row in every app, each carrying a marker."""
    met = NOW - dt.timedelta(days=500)
    with travel(met):
        # Met at a day school as a guest first: a booking under their address, then a follow-up note.
        guest = dayschools.book_guest(
            event=open_event(),
            name=NAME,
            email=EMAIL,
            phone=PHONE,
            how_heard="a friend",
            consent_to_contact=True,
        )
    with travel(guest.event.starts_at + dt.timedelta(hours=1)):
        dayschools.check_in(actor=None, booking=guest)
        dayschools.record_follow_up(actor=None, booking=guest, note="Keen on the kx7follow campaign")
        Contact.objects.create(
            full_name=NAME,
            email=EMAIL,
            phone=PHONE,
            branch=leeds,
            how_met="At the kx7howmet stall",
            notes="Works nights, kx7notes",
        )
        member = make_member(
            leeds,
            joined_on=NOW.date() - dt.timedelta(days=400),
            user=UserFactory(username="quennell", email=EMAIL, first_name=FIRST, last_name=LAST),
            full_name=NAME,
            phone=PHONE,
            workplace="kx7work bus garage",
            statement="I want to join, kx7joining",
        )
    with travel(NOW):
        pay(member, "130.00", paid_on=NOW.date() - dt.timedelta(days=5))
        conference = conference_taking_registrations(2040)
        registration.register(
            member=member,
            conference=conference,
            fee_band=Band.WAGED,
            access_needs="wheelchair user, hearing loop kx7access",
            dietary_needs="vegan kx7diet",
        )
        nc = national_committee(member)
        meeting = Meeting.objects.create(
            committee=nc, starts_at=NOW + dt.timedelta(days=30), ends_at=NOW + dt.timedelta(days=30, hours=2)
        )
        send_apologies(meeting=meeting, member=member, note="At the kx7apology hospital")
        election = ec_election(member, nc)
        nomination = nominations.nominate(actor=member.user, election=election, nominee=member)
        nominations.accept_nomination(
            token=nomination.token, statement="I stand for kx7nominated things", ballot_name=NAME
        )
    return reload(member)


def markers_found() -> dict[str, list[str]]:
    """Every marker still in any text column of any table: {marker: ["table.column", ...]}."""
    pattern = "|".join(re.escape(marker) for marker in MARKERS.values())
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema()
              AND data_type IN ('character varying', 'text', 'jsonb', 'json', 'ARRAY', 'character')
            """
        )
        columns = cursor.fetchall()
        for table, column in columns:
            cursor.execute(
                f'SELECT "{column}"::text FROM "{table}" WHERE "{column}"::text ~* %s',  # noqa: S608
                [pattern],
            )
            for (value,) in cursor.fetchall():
                for what, marker in MARKERS.items():
                    if marker.lower() in value.lower():
                        found.setdefault(what, []).append(f"{table}.{column}")
    return found


def test_every_marker_is_in_the_database_before_erasure(quennell: Member) -> None:
    # The control for the scan below: each marker really is stored somewhere to be found.
    assert set(markers_found()) == set(MARKERS)


def test_erasure_leaves_no_marker_in_any_table(quennell: Member, national_office: Any) -> None:
    with travel(NOW + dt.timedelta(days=1)):
        services.erase_member(actor=national_office, member=quennell, reason="Erasure request of 2 March")

    assert markers_found() == {}


def test_erasure_keeps_what_must_stay_countable(quennell: Member, national_office: Any) -> None:
    before = (Registration.objects.count(), Booking.objects.count(), Member.objects.count())

    with travel(NOW + dt.timedelta(days=1)):
        services.erase_member(actor=national_office, member=quennell, reason="Erasure request of 2 March")

    assert (Registration.objects.count(), Booking.objects.count(), Member.objects.count()) == before


def test_the_export_holds_a_value_from_every_app(quennell: Member) -> None:
    with travel(NOW + dt.timedelta(days=1)):
        exported = selectors.export_member_data(quennell)

    sections = {name: json.dumps(part, cls=DjangoJSONEncoder) for name, part in exported.items()}
    assert "kx7work" in sections["membership"]
    assert "kx7notes" in sections["membership"]  # the contact record under their address
    assert "kx7access" in sections["conference"] and "kx7diet" in sections["conference"]
    assert "kx7nominated" in sections["conference"]
    assert "kx7apology" in sections["committees"]
    assert "kx7follow" in sections["dayschools"]
    assert sections["dayschools"].count(EMAIL) >= 1
    assert EMAIL in sections["site"]  # the mail sent to them
