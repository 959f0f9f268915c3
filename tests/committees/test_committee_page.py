"""The committee page lists who sits on it today, officers first, in a constant number of queries."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from committees import services
from committees.models import Committee, TermBasis, TermRole
from members.models import Member
from tests.committees.conftest import admit, elect


def test_the_committee_page_lists_current_members_officers_first(
    client: Client, nc: Committee, nc_members: list[Member], people: dict[str, Member]
) -> None:
    cleo = people["Cleo Rhys"]
    [term] = cleo.committee_terms.all()
    services.end_term(actor=None, term=term, ends_on=dt.date(2026, 1, 31), reason="resigned")
    client.force_login(people["Ben Plain"].user)

    response = client.get(reverse("committees:committee_detail", args=[nc.slug]))

    names = [term.member.full_name for term in response.context["terms"]]
    assert names[0] == "Ada Secretary"
    assert "Cleo Rhys" not in names
    assert sorted(names[1:]) == sorted(m.full_name for m in nc_members[1:] if m != cleo)
    assert "Ada Secretary" in response.content.decode()


def test_the_committee_page_runs_the_same_queries_for_few_and_many_members(
    client: Client,
    nc: Committee,
    nc_members: list[Member],
    people: dict[str, Member],
    london,
    django_assert_max_num_queries,
) -> None:
    client.force_login(people["Ben Plain"].user)
    url = reverse("committees:committee_detail", args=[nc.slug])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(20):
        elect(nc, admit(london, f"Extra Member {n}"), TermRole.MEMBER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["terms"]) == len(nc_members) + 20
    assert TermBasis.ELECTED_AT_CONFERENCE.label in response.content.decode()


def test_a_member_not_on_the_nc_finds_its_published_minutes_but_not_drafts(
    client: Client, nc: Committee, nc_members: list[Member], london
) -> None:
    from django.utils import timezone

    from committees.models import Meeting, MeetingStatus, Minutes, MinutesStatus

    def held(days_ago: int, status: str) -> Meeting:
        starts = timezone.now() - dt.timedelta(days=days_ago)
        meeting = Meeting.objects.create(
            committee=nc, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), status=MeetingStatus.HELD
        )
        Minutes.objects.create(meeting=meeting, text="Agreed.", status=status)
        return meeting

    published = held(60, MinutesStatus.PUBLISHED)
    draft = held(20, MinutesStatus.CIRCULATED)
    reader = admit(london, "Una Reader")  # a member in good standing, on no committee
    client.force_login(reader.user)

    page = client.get(reverse("committees:committee_detail", args=[nc.slug]))
    minutes = client.get(reverse("committees:minutes", args=[published.pk]))

    assert page.status_code == 200
    assert page.context["published"] == [published]
    assert reverse("committees:minutes", args=[published.pk]) in page.content.decode()
    assert reverse("committees:minutes", args=[draft.pk]) not in page.content.decode()
    assert minutes.status_code == 200
