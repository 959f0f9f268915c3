"""The CAC's reports (registrations by branch and band, fees outstanding, CSV), accommodation matching
(a host's offer never exceeded, even by two matches at once), duties, and the lists' query counts."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from conference.models import Attendee, Band, CacDuty, Conference, Duty, Registration
from conference.registration import reports, services
from conference.registration.services import ConferenceError
from members.models import Branch, DuesRate, Member, Role
from tests.conference.conftest import REGISTERING, paid_up_member, the_next_conference
from tests.factories import make_officer
from tests.helpers.concurrency import in_parallel, said
from tests.helpers.http import read_csv


def register(member: Member, conference: Conference, band: str = Band.WAGED, **needs: Any) -> Registration:
    return services.register(member=member, conference=conference, fee_band=band, **needs)


def url(name: str, conference: Conference, *args: Any) -> str:
    return reverse(f"conference:{name}", args=[conference.slug, *args])


@pytest.fixture
def office(client: Client, national_office: Any, registering: Any) -> Client:
    client.force_login(national_office)
    return client


# Registrations by branch and band, fees ----------------------------------------------------------
@pytest.fixture
def registered(
    conference: Conference,
    london: Branch,
    leeds: Branch,
    dues_rates: dict[str, DuesRate],
    cac: Any,
    national_office: Any,
    registering: Any,
) -> dict[str, Registration]:
    """London: Ann (waged, paid £30), Ben (low-waged, paid £5 of £15), Cas (cancelled); Leeds: Dee
    (unwaged, £5 owed); an invited observer."""
    made = {
        "ann": register(paid_up_member(london, "Ann Paid"), conference),
        "ben": register(paid_up_member(london, "Ben Part"), conference, Band.LOW_WAGED),
        "cas": register(paid_up_member(london, "Cas Gone"), conference, Band.SOLIDARITY),
        "dee": register(paid_up_member(leeds, "Dee Owes"), conference, Band.UNWAGED),
        "obs": services.invite(
            actor=cac,
            conference=conference,
            name="Olu Observer",
            email="olu@example.org",
            attendee=Attendee.OBSERVER,
        ),
    }
    paid_on = dt.date(2027, 3, 10)
    services.record_registration_payment(
        actor=national_office, registration=made["ann"], amount=Decimal("30.00"), paid_on=paid_on
    )
    services.record_registration_payment(
        actor=national_office, registration=made["ben"], amount=Decimal("5.00"), paid_on=paid_on
    )
    services.record_registration_payment(
        actor=national_office, registration=made["cas"], amount=Decimal("50.00"), paid_on=paid_on
    )
    services.cancel_registration(actor=made["cas"].member.user, registration=made["cas"])  # type: ignore[union-attr]
    services.check_in(actor=cac, registration=made["ann"])
    return made


def test_registrations_by_branch_count_those_registered_entitled_and_present(
    conference: Conference, registered: dict[str, Registration]
) -> None:
    rows = {(r.name, r.registered, r.entitled, r.present) for r in reports.by_branch(conference)}

    assert rows == {("Leeds", 1, 1, 0), ("London", 2, 2, 1), (reports.NO_BRANCH, 1, 0, 0)}


def test_registrations_by_band_with_fees_due_paid_and_outstanding(
    conference: Conference, registered: dict[str, Registration]
) -> None:
    bands = {b.band: (b.registered, b.due, b.paid, b.balance) for b in reports.by_band(conference)}
    fees = reports.fees(conference)

    assert bands[Band.WAGED] == (1, Decimal("30.00"), Decimal("30.00"), Decimal("0.00"))
    assert bands[Band.LOW_WAGED] == (1, Decimal("15.00"), Decimal("5.00"), Decimal("10.00"))
    assert bands[Band.UNWAGED] == (1, Decimal("5.00"), Decimal("0.00"), Decimal("5.00"))
    # The observer comes free on the solidarity band; the cancelled registration is not counted.
    assert bands[Band.SOLIDARITY] == (1, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert (fees.due, fees.paid, fees.outstanding) == (Decimal("50.00"), Decimal("35.00"), Decimal("15.00"))
    assert [(r.name, r.outstanding) for r in fees.owing] == [  # type: ignore[attr-defined]
        ("Ben Part", Decimal("10.00")),
        ("Dee Owes", Decimal("5.00")),
    ]


def test_the_overview_page_shows_the_reports(office: Client, conference: Conference, registered: Any) -> None:
    page = office.get(url("cac", conference)).content.decode()

    assert '<tr><th scope="row">London</th><td class="text-end">2</td>' in page
    assert '<td class="text-end">£15.00</td></tr></tfoot>' in page
    assert "Ben Part" in page and "Dee Owes" in page and "Ann Paid" not in page.split("owing-heading")[1]


def test_each_csv_holds_its_report_and_is_audited(
    office: Client, conference: Conference, registered: Any
) -> None:
    branches = read_csv(office.get(url("cac_branches_csv", conference)))
    bands = read_csv(office.get(url("cac_bands_csv", conference)))
    owing = read_csv(office.get(url("cac_owing_csv", conference)))

    assert branches[0] == ["Branch", "Registered", "Entitled", "Present"]
    assert ["London", "2", "2", "1"] in branches
    assert ["Low-waged", "1", "15.00", "5.00", "10.00"] in bands
    assert owing[1:] == [
        ["Ben Part", "London", "Low-waged", "15.00", "5.00", "10.00"],
        ["Dee Owes", "Leeds", "Unwaged", "5.00", "0.00", "5.00"],
    ]
    exported = AuditEntry.objects.filter(action="conference.report_exported").order_by("pk")
    assert [(e.detail["report"], e.detail["rows"]) for e in exported] == [
        ("branches", 3),
        ("bands", 4),
        ("outstanding", 2),
    ]


def test_a_formula_typed_as_a_name_is_not_run_by_the_spreadsheet(
    office: Client, conference: Conference, london: Branch, dues_rates: Any, registering: Any
) -> None:
    register(paid_up_member(london, "=HYPERLINK Eve"), conference)

    rows = read_csv(office.get(url("cac_owing_csv", conference)))

    assert rows[1][0] == "'=HYPERLINK Eve"


# Accommodation -----------------------------------------------------------------------------------
@pytest.fixture
def beds(
    conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], registering: Any
) -> dict[str, Registration]:
    """Hal offers one bed; Gil, Gwen and Nat need one (Nat did not consent to share her needs)."""
    bed: dict[str, Any] = {"needs_bed": True, "consent_share_needs": True}
    return {
        "hal": register(
            paid_up_member(london, "Hal Host"), conference, offers_beds=1, consent_share_needs=True
        ),
        "gil": register(paid_up_member(london, "Gil Guest"), conference, **bed),
        "gwen": register(paid_up_member(london, "Gwen Guest"), conference, **bed),
        "nat": register(paid_up_member(london, "Nat Private"), conference, needs_bed=True),
        "ned": register(paid_up_member(london, "Ned Nobed"), conference, consent_share_needs=True),
    }


def match(guest: Registration, host: Registration, actor: Any = None) -> Registration:
    return services.match_accommodation(actor=actor, guest=guest, host=host)


def test_a_guest_is_matched_to_a_host_and_the_bed_is_taken(beds: dict[str, Registration]) -> None:
    match(beds["gil"], beds["hal"])

    found = reports.accommodation(beds["hal"].conference)
    [hal] = [h for h in found.hosts if h.name == "Hal Host"]
    assert (hal.offers, hal.taken, hal.free) == (1, 1, 0)
    assert [g.name for g in found.matchable_guests] == ["Gwen Guest"]
    assert not found.hosts_with_room
    assert AuditEntry.objects.filter(action="conference.accommodation_matched").count() == 1


def test_a_host_is_never_given_more_guests_than_beds(beds: dict[str, Registration]) -> None:
    match(beds["gil"], beds["hal"])

    with pytest.raises(ConferenceError, match="offered 1 bed, and every one is taken"):
        match(beds["gwen"], beds["hal"])

    assert Registration.objects.get(pk=beds["gwen"].pk).hosted_by is None


def test_matching_the_same_pair_again_changes_nothing(beds: dict[str, Registration]) -> None:
    match(beds["gil"], beds["hal"])
    match(beds["gil"], beds["hal"])

    assert AuditEntry.objects.filter(action="conference.accommodation_matched").count() == 1


@pytest.mark.parametrize(
    ("guest", "host", "message"),
    [
        ("nat", "hal", "Nat Private did not consent to share their needs"),
        ("hal", "hal", "cannot be their own host"),
        ("ned", "hal", "Ned Nobed has not asked for a bed"),
        ("gil", "gwen", "Gwen Guest has not offered a bed"),
    ],
)
def test_a_match_the_rules_refuse_writes_nothing(
    beds: dict[str, Registration], guest: str, host: str, message: str
) -> None:
    with pytest.raises(ConferenceError, match=message):
        match(beds[guest], beds[host])

    assert not Registration.objects.filter(hosted_by__isnull=False).exists()


def test_a_guest_with_a_bed_must_be_unmatched_before_moving(
    beds: dict[str, Registration], london: Branch, conference: Conference
) -> None:
    other = register(paid_up_member(london, "Ola Other"), conference, offers_beds=2, consent_share_needs=True)
    match(beds["gil"], beds["hal"])

    with pytest.raises(ConferenceError, match="already has a bed with Hal Host; unmatch them first"):
        match(beds["gil"], other)

    services.unmatch_accommodation(actor=None, guest=beds["gil"])
    assert match(beds["gil"], other).hosted_by_id == other.pk


def test_a_cancelled_guest_gives_the_bed_back_and_cannot_be_matched(beds: dict[str, Registration]) -> None:
    match(beds["gil"], beds["hal"])
    gil = beds["gil"]
    services.cancel_registration(actor=gil.member.user, registration=gil)  # type: ignore[union-attr]

    with pytest.raises(ConferenceError, match="Gil Guest has cancelled"):
        match(gil, beds["hal"])
    assert match(beds["gwen"], beds["hal"]).hosted_by_id == beds["hal"].pk


def test_a_guest_and_host_of_different_conferences_are_not_matched(
    beds: dict[str, Registration], conference: Conference
) -> None:
    other = the_next_conference(conference)
    host = beds["hal"]
    Registration.objects.filter(pk=host.pk).update(conference=other)
    host.refresh_from_db()

    with pytest.raises(ConferenceError, match="different conferences"):
        match(beds["gil"], host)


def test_only_the_accommodation_duty_matches(beds: dict[str, Registration], conference: Conference) -> None:
    diet = make_officer(Role.CAC, email="diet@example.org")
    CacDuty.objects.create(conference=conference, user=diet, duty=Duty.DIET)
    rooms = make_officer(Role.CAC, email="rooms@example.org")
    CacDuty.objects.create(conference=conference, user=rooms, duty=Duty.ACCOMMODATION)

    with pytest.raises(ConferenceError, match="Only the CAC member handling accommodation"):
        match(beds["gil"], beds["hal"], actor=diet)
    assert match(beds["gil"], beds["hal"], actor=rooms).hosted_by_id == beds["hal"].pk


def test_the_accommodation_page_matches_and_refuses_with_a_message(
    office: Client, conference: Conference, beds: dict[str, Registration]
) -> None:
    page = url("cac_accommodation", conference)
    form = office.get(page).content.decode()
    assert f'<option value="{beds["nat"].pk}"' not in form  # did not consent: not offered
    assert f'<option value="{beds["gil"].pk}"' in form

    matched = office.post(page, {"guest": beds["gil"].pk, "host": beds["hal"].pk}, follow=True)
    # The host is full now: a second tab still showing the bed free is refused.
    refused = office.post(page, {"guest": beds["gwen"].pk, "host": beds["hal"].pk})

    assert "Gil Guest will stay with Hal Host." in matched.content.decode()
    assert refused.status_code == 400  # the host is no longer a choice
    assert Registration.objects.get(pk=beds["gwen"].pk).hosted_by is None

    unmatch = url("cac_unmatch", conference, beds["gil"].pk)
    assert "Unmatch Gil Guest" in office.get(unmatch).content.decode()
    assert office.post(unmatch).status_code == 302
    assert Registration.objects.get(pk=beds["gil"].pk).hosted_by is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locked", [True, False], ids=["with-the-lock", "control-without-the-lock"])
def test_two_matches_at_once_to_a_one_bed_host(
    conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], monkeypatch: Any, locked: bool
) -> None:
    """Both requests count the host's beds at the same moment. With the row lock the second waits for
    the first and is refused; the control, with the lock taken away, shows the race it prevents."""
    with time_machine.travel(REGISTERING, tick=False):
        hal = register(
            paid_up_member(london, "Hal Host"), conference, offers_beds=1, consent_share_needs=True
        )
        guests = [
            register(paid_up_member(london, name), conference, needs_bed=True, consent_share_needs=True)
            for name in ("Gil Guest", "Gwen Guest")
        ]
    if not locked:
        monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    counted = threading.Barrier(2)
    count = services._hosted_count

    def count_then_wait(host: Registration) -> int:
        taken = count(host)
        # Both count before either writes, unless the lock keeps the second out until the first is done.
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait(timeout=3)
        return taken

    monkeypatch.setattr(services, "_hosted_count", count_then_wait)
    # No start line: the barrier after the count is where the two meet.
    outcomes = said(
        in_parallel(len(guests), lambda n: match(guests[n], hal), refused=ConferenceError, together=False),
        "matched",
    )

    hosted = Registration.objects.filter(hosted_by=hal).count()
    if locked:
        assert sorted(outcomes) == ["Hal Host offered 1 bed, and every one is taken.", "matched"]
        assert hosted == 1
    else:
        assert outcomes == ["matched", "matched"]
        assert hosted == 2


# Duties ------------------------------------------------------------------------------------------
def test_the_national_office_assigns_and_removes_a_duty(
    office: Client, conference: Conference, cac: Any
) -> None:
    page = url("cac_duties", conference)

    office.post(page, {"user": cac.pk, "duty": Duty.CRECHE})
    office.post(page, {"user": cac.pk, "duty": Duty.CRECHE})  # again: nothing more

    duty = CacDuty.objects.get()
    assert (duty.user, duty.duty) == (cac, Duty.CRECHE)
    assert cac.has_perm("conference.view_creche", conference)
    assert office.post(url("cac_duty_remove", conference, duty.pk)).status_code == 302
    assert not CacDuty.objects.exists()
    actions = list(
        AuditEntry.objects.filter(action__startswith="conference.duty_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["conference.duty_assigned", "conference.duty_removed"]


def test_a_duty_is_only_for_someone_on_the_cac(
    conference: Conference, national_office: Any, member: Member
) -> None:
    with pytest.raises(ConferenceError, match="is not on the CAC"):
        services.assign_duty(actor=national_office, conference=conference, user=member.user, duty=Duty.ACCESS)
    assert not CacDuty.objects.exists()


# Query counts ------------------------------------------------------------------------------------
def _grow(conference: Conference, london: Branch, start: int, n: int) -> None:
    """``n`` more people with every kind of need (a third without consent), half needing a bed and half
    offering one, and as many guests matched as there are hosts free."""
    for i in range(start, start + n):
        register(
            paid_up_member(london, f"Many {i}"),
            conference,
            access_needs=f"Needs {i}",
            dietary_needs="Vegan",
            children=1,
            children_ages="5",
            needs_bed=i % 2 == 0,
            offers_beds=i % 2,
            consent_share_needs=i % 3 != 0,
        )
    standing = Registration.objects.filter(conference=conference, consent_share_needs=True)
    hosts = standing.filter(offers_beds=1, guests_hosted=None)
    guests = standing.filter(needs_bed=True, hosted_by=None)
    for guest, host in zip(list(guests), list(hosts), strict=False):
        services.match_accommodation(actor=None, guest=guest, host=host)


@pytest.mark.parametrize(
    "name",
    ["cac", "cac_access", "cac_diet", "cac_creche", "cac_accommodation", "cac_access_csv", "cac_duties"],
)
def test_the_cac_pages_take_the_same_queries_for_many_people(
    office: Client,
    conference: Conference,
    london: Branch,
    dues_rates: dict[str, DuesRate],
    django_assert_max_num_queries: Any,
    name: str,
) -> None:
    def queries() -> int:
        # A look is logged once an hour (awl.audit.log_view): each call starts with none logged, so both
        # write their entry and the counts compare the page, not the log's deduplication.
        AuditEntry.objects.all().delete()
        with django_assert_max_num_queries(20) as captured:
            assert office.get(url(name, conference)).status_code == 200
        return len(captured)

    _grow(conference, london, 0, 2)
    few = queries()
    _grow(conference, london, 2, 8)
    many = queries()

    assert few == many
