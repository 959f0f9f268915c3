"""Calendar feeds: a member's private, revocable feed of their committees, and their feed of each one.

Feeds are parsed back with icalendar: a moved meeting keeps its UID with a
higher SEQUENCE, a cancelled one says STATUS:CANCELLED, and a member whose
term ended no longer gets that committee's meetings.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Component

from committees import services
from committees.models import CalendarToken, Committee, Meeting
from members.models import Member
from tests.committees.conftest import admit, elect
from tests.factories import CommitteeFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

MY_CALENDAR = reverse("committees:my_calendar")


def meeting(committee: Committee, days: float, hours: float = 2) -> Meeting:
    """A meeting ``days`` from now (negative: in the past), made as generating the cycle makes them."""
    starts = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    return Meeting.objects.create(
        committee=committee, starts_at=starts, ends_at=starts + dt.timedelta(hours=hours)
    )


def token_for(member: Member) -> str:
    return services.new_calendar_token(actor=member.user, member=member).token


def feed(client: Client, token: str) -> Response:
    return client.get(reverse("committees:member_feed", args=[token]))


def events(response: Response) -> dict[str, Component]:
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def nc_and_ec_meetings(nc: Committee, ec: Committee, ec_members: list[Member]) -> dict[str, Meeting]:
    return {
        "nc": meeting(nc, 20),
        "ec": meeting(ec, 3),
        "nc_last_month": meeting(nc, -30),
        "nc_long_ago": meeting(nc, -61),
    }


# The member's feed page ----------------------------------------------------------------------------
def test_the_page_makes_a_feed_address_only_when_asked(client: Client, plain_member: Member) -> None:
    client.force_login(plain_member.user)

    page = client.get(MY_CALENDAR)
    assert page.status_code == 200
    assert not CalendarToken.objects.filter(member=plain_member).exists()

    response = client.post(MY_CALENDAR, {"action": "new"})

    assert response.status_code == 302
    token = CalendarToken.objects.get(member=plain_member)
    page = client.get(MY_CALENDAR)
    html = page.content.decode()
    feed_url = f"{settings.SITE_URL}{reverse('committees:member_feed', args=[token.token])}"
    assert page.context["feed_url"] == feed_url
    assert feed_url in html
    assert f"webcal://{feed_url.split('://', 1)[1]}" in html


def test_a_new_address_revokes_the_old_one(
    client: Client, plain_member: Member, nc_and_ec_meetings: dict[str, Meeting]
) -> None:
    client.force_login(plain_member.user)
    client.post(MY_CALENDAR, {"action": "new"})
    old = CalendarToken.objects.get(member=plain_member).token

    client.post(MY_CALENDAR, {"action": "new"})

    new = CalendarToken.objects.get(member=plain_member, revoked_at__isnull=True).token
    assert new != old
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200


def test_a_revoked_address_gives_404(
    client: Client, plain_member: Member, nc_and_ec_meetings: dict[str, Meeting]
) -> None:
    client.force_login(plain_member.user)
    client.post(MY_CALENDAR, {"action": "new"})
    token = CalendarToken.objects.get(member=plain_member).token
    assert feed(client, token).status_code == 200

    response = client.post(MY_CALENDAR, {"action": "revoke"})

    assert response.status_code == 302
    client.logout()
    assert feed(client, token).status_code == 404
    assert feed(client, "not-a-token").status_code == 404


def test_someone_elses_calendar_cannot_be_managed_through_the_service(
    plain_member: Member, secretary: Member
) -> None:
    with pytest.raises(services.CommitteeError):
        services.new_calendar_token(actor=secretary.user, member=plain_member)
    assert not CalendarToken.objects.filter(member=plain_member).exists()


# The member's feed -------------------------------------------------------------------------------------
def test_the_feed_lists_the_members_committees_meetings_from_60_days_ago(
    client: Client, plain_member: Member, nc_and_ec_meetings: dict[str, Meeting], nc: Committee
) -> None:
    elsewhere = CommitteeFactory.create(name="Disputes Committee", slug="dc")
    meeting(elsewhere, 5)

    response = feed(client, token_for(plain_member))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    wanted = {nc_and_ec_meetings[name].uid for name in ("nc", "ec", "nc_last_month")}
    assert set(events(response)) == wanted


def test_a_moved_meeting_keeps_its_uid_with_a_higher_sequence(
    client: Client, plain_member: Member, secretary: Member, nc_and_ec_meetings: dict[str, Meeting]
) -> None:
    token = token_for(plain_member)
    nc_meeting = nc_and_ec_meetings["nc"]
    before = events(feed(client, token))[nc_meeting.uid]

    new_start = nc_meeting.starts_at + dt.timedelta(days=1)
    services.move_meeting(
        actor=secretary.user,
        meeting=nc_meeting,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=2),
    )
    after = events(feed(client, token))[nc_meeting.uid]

    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert after.decoded("DTSTART") == new_start
    assert str(after["STATUS"]) == "CONFIRMED"


def test_a_cancelled_meeting_stays_in_the_feed_marked_cancelled(
    client: Client, plain_member: Member, secretary: Member, nc_and_ec_meetings: dict[str, Meeting]
) -> None:
    token = token_for(plain_member)
    ec_meeting = nc_and_ec_meetings["ec"]
    before = events(feed(client, token))[ec_meeting.uid]

    services.cancel_meeting(actor=secretary.user, meeting=ec_meeting, reason="Clashes with the demonstration")
    after = events(feed(client, token))[ec_meeting.uid]

    assert str(after["STATUS"]) == "CANCELLED"
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")


def test_a_member_whose_term_ended_no_longer_sees_that_committees_meetings(
    client: Client, plain_member: Member, nc_and_ec_meetings: dict[str, Meeting], ec: Committee
) -> None:
    token = token_for(plain_member)
    assert nc_and_ec_meetings["ec"].uid in events(feed(client, token))
    [term] = plain_member.committee_terms.filter(committee=ec)

    services.end_term(
        actor=None,
        term=term,
        ends_on=timezone.localdate() - dt.timedelta(days=1),
        reason="resigned from the EC",
    )

    uids = set(events(feed(client, token)))
    assert nc_and_ec_meetings["ec"].uid not in uids
    assert nc_and_ec_meetings["nc"].uid in uids


def test_the_feed_runs_the_same_queries_for_few_and_many_meetings_and_committees(
    client: Client, plain_member: Member, nc: Committee, ec: Committee, ec_members: list[Member], london
) -> None:
    token = token_for(plain_member)
    meeting(nc, 10)
    url = reverse("committees:member_feed", args=[token])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    for n in range(5):
        other = CommitteeFactory.create(name=f"Working group {n}", slug=f"wg{n}")
        elect(other, plain_member)
        for days in range(1, 8):
            meeting(other, days * 7)
    for days in range(1, 20):
        meeting(ec, days)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(events(response)) == 1 + 5 * 7 + 19
    assert len(many.captured_queries) == len(few.captured_queries)


# The committee's feed: one per member, no online links -----------------------------------------------
def committee_feed(client: Client, committee: Committee, token: str) -> Response:
    return client.get(reverse("committees:committee_feed", args=[committee.slug, token]))


def test_the_committee_feed_opens_with_a_current_members_own_token_only(
    client: Client, nc: Committee, ec: Committee, nc_and_ec_meetings: dict[str, Meeting], people
) -> None:
    token = token_for(people["Ben Plain"])

    response = committee_feed(client, nc, token)

    assert set(events(response)) == {nc_and_ec_meetings["nc"].uid, nc_and_ec_meetings["nc_last_month"].uid}
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert committee_feed(client, nc, token[:-1]).status_code == 404
    assert committee_feed(client, nc, "x").status_code == 404
    assert client.get(reverse("committees:committee_feed", args=["nope", token])).status_code == 404
    # Efa sits on the NC but not on the EC: her token opens the NC's feed, not the EC's.
    efa = token_for(people["Efa Morgan"])
    assert committee_feed(client, nc, efa).status_code == 200
    assert committee_feed(client, ec, efa).status_code == 404


def test_a_members_committee_feed_stops_when_their_term_ends(
    client: Client, plain_member: Member, nc: Committee, ec: Committee, nc_and_ec_meetings: dict[str, Meeting]
) -> None:
    token = token_for(plain_member)
    assert nc_and_ec_meetings["ec"].uid in events(committee_feed(client, ec, token))
    [term] = plain_member.committee_terms.filter(committee=ec)

    services.end_term(
        actor=None, term=term, ends_on=timezone.localdate() - dt.timedelta(days=1), reason="resigned"
    )

    assert committee_feed(client, ec, token).status_code == 410
    # The term on the NC is still current: that committee's feed goes on.
    assert nc_and_ec_meetings["nc"].uid in events(committee_feed(client, nc, token))


def test_a_member_with_no_current_term_left_has_no_feed_at_all(
    client: Client, plain_member: Member, nc: Committee, ec: Committee, nc_and_ec_meetings: dict[str, Meeting]
) -> None:
    token = token_for(plain_member)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for term in plain_member.committee_terms.all():
        services.end_term(actor=None, term=term, ends_on=yesterday, reason="left both committees")

    assert feed(client, token).status_code == 404
    assert committee_feed(client, nc, token).status_code == 410
    assert committee_feed(client, ec, token).status_code == 410


def test_the_committee_feed_carries_no_online_meeting_link(
    client: Client, plain_member: Member, ec: Committee, nc_and_ec_meetings: dict[str, Meeting]
) -> None:
    """The link may sit in the meeting, the committee's default, or typed into the venue: none leaks."""
    ec_meeting = nc_and_ec_meetings["ec"]
    ec_meeting.online_link = "https://meet.example.org/ec-secret-room"
    ec_meeting.venue = "Online: https://meet.example.org/ec-secret-room or the Red Lion"
    ec_meeting.save()
    by_default = meeting(ec, 10)
    by_default.venue = f"{ec.default_online_link} (password in the notice)"
    by_default.save()
    token = token_for(plain_member)

    response = committee_feed(client, ec, token)

    body = response.content.decode()
    assert ec_meeting.uid in events(response)
    assert "meet.example.org" not in body
    assert "https://" not in body.replace("\r\n ", "")
    assert "Red Lion" in body
    # The member's own feed may carry the link: they sit on the EC today.
    own = feed(client, token).content.decode().replace("\r\n ", "")
    assert "https://meet.example.org/ec-secret-room" in own


def test_the_committee_page_offers_the_feed_to_its_members_only(
    client: Client, ec: Committee, ec_members: list[Member], people: dict[str, Member]
) -> None:
    """Efa sits on the NC, which elects the EC: she may see the EC's page, but not its feed."""
    url = reverse("committees:committee_detail", args=[ec.slug])
    calendar_page = reverse("committees:committee_calendar", args=[ec.slug])
    ben = token_for(people["Ben Plain"])
    efa = token_for(people["Efa Morgan"])

    client.force_login(people["Ben Plain"].user)
    assert reverse("committees:committee_feed", args=[ec.slug, ben]) in client.get(url).content.decode()
    assert client.get(calendar_page).status_code == 200

    client.force_login(people["Efa Morgan"].user)
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("committees:committee_feed", args=[ec.slug, efa]) not in page.content.decode()
    assert ben not in page.content.decode()
    assert client.get(calendar_page).status_code == 403


def test_a_member_makes_their_own_committee_feed_address(
    client: Client, nc: Committee, plain_member: Member, nc_and_ec_meetings: dict[str, Meeting]
) -> None:
    client.force_login(plain_member.user)
    page = client.get(reverse("committees:committee_calendar", args=[nc.slug]))
    assert page.context["feed_url"] == ""

    response = client.post(reverse("committees:committee_calendar", args=[nc.slug]))

    assert response.status_code == 302
    token = CalendarToken.objects.get(member=plain_member, revoked_at__isnull=True).token
    page = client.get(reverse("committees:committee_calendar", args=[nc.slug]))
    assert page.context["feed_url"].endswith(reverse("committees:committee_feed", args=[nc.slug, token]))
    assert committee_feed(client, nc, token).status_code == 200

    client.post(reverse("committees:committee_calendar", args=[nc.slug]))

    assert committee_feed(client, nc, token).status_code == 404
    new = CalendarToken.objects.get(member=plain_member, revoked_at__isnull=True).token
    assert committee_feed(client, nc, new).status_code == 200


def test_someone_who_does_not_sit_on_the_committee_cannot_make_it_a_feed_address(
    client: Client, ec: Committee, people: dict[str, Member], ec_members: list[Member], national_office
) -> None:
    client.force_login(national_office)

    response = client.post(reverse("committees:committee_calendar", args=[ec.slug]))

    assert response.status_code == 403
    assert not CalendarToken.objects.exists()


def test_there_is_no_shared_committee_feed_address_any_more(nc: Committee) -> None:
    assert not hasattr(nc, "feed_token")


def test_a_newly_elected_member_gets_the_committees_meetings(
    client: Client, nc: Committee, nc_and_ec_meetings: dict[str, Meeting], london
) -> None:
    newcomer = admit(london, "Nia Newcomer")
    token = token_for(newcomer)
    assert feed(client, token).status_code == 404
    assert committee_feed(client, nc, token).status_code == 404

    elect(nc, newcomer)

    assert nc_and_ec_meetings["nc"].uid in events(feed(client, token))
    assert nc_and_ec_meetings["nc"].uid in events(committee_feed(client, nc, token))
