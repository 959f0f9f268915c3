"""The count and result pages: counting and confirming as the returning officer, who sees what and when.

The election is the Executive Committee's, by the National Committee, on which
Rosa (the ``member`` fixture) and the three candidates, Ada, Ben and Cai, sit;
its returning officer is an account with no role. The national office sees the
election (it sets elections up) but does not run its count.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from committees.models import Committee, Term
from conference.elections.counting import blt
from conference.elections.models import Ballot, BallotSource, Election, ElectionCount, VoterRecord
from conference.elections.services import results
from conference.models import EligibilityException, Registration
from members.models import Member
from tests.conference.result_objects import (
    candidate_members,
    counted_off_system,
    make_election,
    register_conference_voters,
)
from tests.factories import CommitteeFactory, UserFactory, make_member, national_committee, seat

RANKINGS = [[0, 1], [0, 1], [0, 1], [0, 2], [1], [2, 1], [2], [1, 0]]


@pytest.fixture
def nc(member: Member) -> Committee:
    return national_committee(member)


@pytest.fixture
def standing(member: Member, nc: Committee) -> list[Member]:
    return candidate_members(member.branch, nc)


@pytest.fixture
def returning_officer(db: None) -> Any:
    return UserFactory(username="ro", email="ro@example.org")


@pytest.fixture
def election(nc: Committee, standing: list[Member], returning_officer: Any) -> Election:
    return make_election(
        title="Executive Committee 2027",
        committee=CommitteeFactory.create(name="Executive Committee", slug="ec", kind="executive"),
        electing_committee=nc,
        returning_officer=returning_officer,
        nominees=standing,
        rankings=RANKINGS,
        seats=2,
    )


def _declare(election: Election, returning_officer: Any, seed: int = 1) -> ElectionCount:
    recount = ElectionCount.objects.filter(election=election).exists()
    count = results.run_count(
        actor=returning_officer, election=election, seed=seed, reason="A recount" if recount else ""
    )
    results.confirm_result(actor=returning_officer, election=election, count=count)
    election.refresh_from_db()
    return count


def _get(client: Client, user: Any, name: str, pk: int) -> Any:
    client.force_login(user)
    return client.get(reverse(f"conference:{name}", args=[pk]))


# The returning officer's journey ------------------------------------------------------------------------
def test_the_returning_officer_counts_and_confirms_through_the_pages(
    client: Client, election: Election, returning_officer: Any, standing: list[Member]
) -> None:
    client.force_login(returning_officer)
    election_page = client.get(reverse("conference:election_detail", args=[election.pk])).content.decode()
    assert reverse("conference:result_count", args=[election.pk]) in election_page

    page = client.get(reverse("conference:result_count", args=[election.pk]))
    assert page.status_code == 200 and "Run the count" in page.content.decode()
    counted = client.post(reverse("conference:result_count", args=[election.pk]), {"seed": "5"})
    count = ElectionCount.objects.get(election=election)
    assert counted.status_code == 302 and counted["Location"] == reverse(
        "conference:result_sheet", args=[count.pk]
    )
    assert count.seed == 5

    sheet = client.get(counted["Location"]).content.decode()
    assert "Confirm this result" in sheet
    confirm_url = reverse("conference:result_confirm", args=[count.pk])
    assert "Confirm the result and declare it" in client.get(confirm_url).content.decode()
    confirmed = client.post(confirm_url)

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("conference:result_detail", args=[election.pk])
    election.refresh_from_db()
    assert election.confirmed_count == count
    assert set(
        Term.objects.filter(committee=election.committee).values_list("member__full_name", flat=True)
    ) == {
        "Ada Adams",
        "Ben Brown",
    }
    again = client.post(confirm_url)
    assert again.status_code == 409 and "already been declared" in again.content.decode()


def test_a_refused_count_comes_back_with_the_reason_and_nothing_written(
    client: Client, election: Election, returning_officer: Any
) -> None:
    Ballot.objects.filter(election=election).delete()
    VoterRecord.objects.filter(election=election).delete()
    client.force_login(returning_officer)

    response = client.post(reverse("conference:result_count", args=[election.pk]), {"seed": ""})

    assert response.status_code == 409 and "There are no ballots to count." in response.content.decode()
    assert not ElectionCount.objects.exists()


@pytest.mark.parametrize("who", ["national_office", "member", "candidate"])
def test_nobody_but_the_returning_officer_counts_confirms_or_imports(
    client: Client,
    election: Election,
    returning_officer: Any,
    national_office: Any,
    member: Member,
    standing: list[Member],
    who: str,
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=1)
    client.force_login(
        {"national_office": national_office, "member": member.user, "candidate": standing[0].user}[who]
    )

    responses = [
        client.get(reverse("conference:result_count", args=[election.pk])),
        client.post(reverse("conference:result_count", args=[election.pk]), {"seed": "1"}),
        client.get(reverse("conference:result_confirm", args=[count.pk])),
        client.post(reverse("conference:result_confirm", args=[count.pk])),
        client.post(
            reverse("conference:result_import", args=[election.pk]), {"text": "3 2\n1 1 0\n0\na\nb\nc\n"}
        ),
        client.get(reverse("conference:result_sheet", args=[count.pk])),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403, 403, 404]
    election.refresh_from_db()
    assert election.confirmed_at is None and ElectionCount.objects.count() == 1
    assert not Ballot.objects.filter(source=BallotSource.IMPORTED).exists()


def test_someone_who_cannot_see_the_election_gets_a_404_everywhere(
    client: Client, election: Election, returning_officer: Any, london: Any
) -> None:
    count = _declare(election, returning_officer)
    stranger = make_member(
        london, full_name="Not On NC", user=UserFactory(username="not", email="not@example.org")
    )
    client.force_login(stranger.user)

    statuses = [
        client.get(reverse(f"conference:{name}", args=[pk])).status_code
        for name, pk in (
            ("result_count", election.pk),
            ("result_import", election.pk),
            ("result_detail", election.pk),
            ("result_blt", election.pk),
            ("result_sheet", count.pk),
            ("result_sheet_csv", count.pk),
            ("result_confirm", count.pk),
        )
    ]
    assert statuses == [404] * 7


# Who reads the result, and when ---------------------------------------------------------------------------
def test_the_result_is_hidden_until_it_is_declared_except_from_the_returning_officer(
    client: Client,
    election: Election,
    returning_officer: Any,
    member: Member,
    national_office: Any,
    standing: list[Member],
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=1)
    readers = [member.user, national_office, standing[2].user]

    before = [_get(client, user, "result_detail", election.pk).status_code for user in readers]
    sheets = [_get(client, user, "result_sheet", count.pk).status_code for user in readers]
    files = [_get(client, user, "result_blt", election.pk).status_code for user in readers]
    preview = _get(client, returning_officer, "result_detail", election.pk)
    assert (before, sheets, files) == ([404] * 3, [404] * 3, [404] * 3)
    assert preview.status_code == 200 and "Not declared yet" in preview.content.decode()
    assert _get(client, returning_officer, "result_blt", election.pk).status_code == 200

    results.confirm_result(actor=returning_officer, election=election, count=count)

    for user in readers:
        page = _get(client, user, "result_detail", election.pk)
        assert page.status_code == 200
        assert "<li>Ada Adams</li><li>Ben Brown</li>" in page.content.decode()
        assert _get(client, user, "result_sheet", count.pk).status_code == 200
        assert _get(client, user, "result_blt", election.pk).content.decode() == results.export_blt(election)
    client.force_login(member.user)
    election_page = client.get(reverse("conference:election_detail", args=[election.pk])).content.decode()
    assert reverse("conference:result_detail", args=[election.pk]) in election_page


def test_a_superseded_count_stays_the_returning_officers(
    client: Client, election: Election, returning_officer: Any, member: Member
) -> None:
    superseded = results.run_count(actor=returning_officer, election=election, seed=1)
    _declare(election, returning_officer, seed=2)

    assert _get(client, member.user, "result_sheet", superseded.pk).status_code == 404
    assert _get(client, returning_officer, "result_sheet", superseded.pk).status_code == 200


def test_at_a_conference_a_member_who_was_not_in_the_electorate_is_refused_the_result(
    client: Client, election: Election, returning_officer: Any, member: Member, london: Any
) -> None:
    from tests.conference.programme_objects import programme_conference

    conference = programme_conference("result-pages", 2091)
    Registration.objects.create(
        conference=conference,
        member=member,
        name="Rosa Lund",
        email="rosa@example.org",
        fee_band="waged",
        entitled=True,
    )
    # Entitlement is the conference's rule, not the stored flag: the CAC's exception gives Rosa the vote
    # whatever the 2091 cut-off makes of her dues.
    EligibilityException.objects.create(conference=conference, member=member, reason="Entitled in this test")
    Election.objects.filter(pk=election.pk).update(conference=conference, electing_committee=None)
    register_conference_voters(conference, election, besides=member)
    election.refresh_from_db()
    _declare(election, returning_officer)
    absent = make_member(
        london, full_name="Absent Member", user=UserFactory(username="absent", email="absent@example.org")
    )

    assert _get(client, member.user, "result_detail", election.pk).status_code == 200
    assert _get(client, absent.user, "result_detail", election.pk).status_code == 403
    assert _get(client, absent.user, "result_blt", election.pk).status_code == 403


# The count sheet ------------------------------------------------------------------------------------------
def test_the_count_sheet_shows_every_stage_in_an_accessible_table(
    client: Client, election: Election, returning_officer: Any
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=1)

    page = _get(client, returning_officer, "result_sheet", count.pk).content.decode()

    assert (
        '<caption id="sheet-caption">' in page
        and 'role="region" aria-labelledby="sheet-caption" tabindex="0"' in page
    )
    for stage in count.result["stages"]:
        assert f"Stage {stage['stage']}<br>" in page
    assert page.count('scope="colgroup"') == len(count.result["stages"])
    assert "Non-transferable papers" in page and "Loss from truncation" in page and "Quota" in page


def test_the_count_sheet_csv_has_every_stage_and_row_with_votes_as_numbers(
    client: Client, election: Election, returning_officer: Any
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=1)

    response = _get(client, returning_officer, "result_sheet_csv", count.pk)

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    stages = count.result["stages"]
    assert len(rows) == len(stages) * (3 + 2)
    assert sorted({int(row["Stage"]) for row in rows}) == [s["stage"] for s in stages]
    for stage in stages:
        for name, total in stage["totals"].items():
            [line] = [r for r in rows if r["Stage"] == str(stage["stage"]) and r["Row"] == name]
            assert Decimal(line["Total"]) == Decimal(total)
            assert Decimal(line["Transfer"]) == Decimal(stage["transfers"][name])
    surplus = [r for r in rows if r["Action"] == "Surplus of Ada Adams" and r["Row"] == "Ada Adams"]
    assert surplus and surplus[0]["Transfer"].startswith("-") and not surplus[0]["Transfer"].startswith("'")


def test_the_count_sheet_page_takes_a_constant_number_of_queries(
    client: Client,
    member: Member,
    nc: Committee,
    standing: list[Member],
    returning_officer: Any,
    django_assert_max_num_queries: Any,
) -> None:
    small = results.run_count(
        actor=returning_officer,
        election=make_election(
            title="Small",
            committee=CommitteeFactory.create(name="Small", kind="national"),
            electing_committee=nc,
            returning_officer=returning_officer,
            nominees=standing,
            rankings=[[0], [1], [2], [0, 1]],
            seats=1,
        ),
        seed=1,
    )
    many = [*standing]
    for n in range(9):
        person = make_member(
            member.branch,
            full_name=f"Extra {n}",
            user=UserFactory(username=f"x{n}", email=f"x{n}@example.org"),
        )
        seat(nc, person)
        many.append(person)
    large = results.run_count(
        actor=returning_officer,
        election=make_election(
            title="Large",
            committee=CommitteeFactory.create(name="Large", kind="national"),
            electing_committee=nc,
            returning_officer=returning_officer,
            nominees=many,
            rankings=[[i % 12, (i + 5) % 12, (i + 7) % 12] for i in range(60)],
            seats=3,
        ),
        seed=1,
    )
    assert len(large.result["stages"]) > len(small.result["stages"]) + 5
    client.force_login(returning_officer)

    # 12 before the totals were reconciled (voter records, imports, ballots, electorate: results.reconciled)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("conference:result_sheet", args=[small.pk]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("conference:result_sheet", args=[large.pk]))


# BLT files ------------------------------------------------------------------------------------------------
def test_the_downloaded_ballots_count_to_the_declared_result(
    client: Client, election: Election, returning_officer: Any, member: Member
) -> None:
    count = _declare(election, returning_officer, seed=9)

    response = _get(client, member.user, "result_blt", election.pk)

    assert response["Content-Disposition"] == f'attachment; filename="election-{election.pk}-ballots.blt"'
    read = blt.read_blt(response.content.decode())
    from conference.elections.counting import stv

    assert stv.count(read.candidates, read.seats, read.ballots, seed=9).as_dict() == count.result


GOOD = '3 2\n2 3 0\n1 1 2 0\n0\n"Ada Adams"\n"Ben Brown"\n"Cai Carter"\n"Paper"\n'


def test_a_blt_file_is_imported_from_an_upload_or_pasted(
    client: Client, election: Election, returning_officer: Any
) -> None:
    counted_off_system(election, 4)
    client.force_login(returning_officer)
    url = reverse("conference:result_import", args=[election.pk])
    upload = SimpleUploadedFile("paper.blt", GOOD.encode(), content_type="text/plain")

    uploaded = client.post(url, {"blt_file": upload})
    refused = client.post(url, {"text": GOOD})
    replaced = client.post(
        url, {"text": GOOD.replace("2 3 0", "1 3 0"), "replace": "on", "reason": "The wrong ward's file"}
    )

    assert uploaded.status_code == 302 and uploaded["Location"] == reverse(
        "conference:result_count", args=[election.pk]
    )
    assert refused.status_code == 409 and "imported already" in refused.content.decode()
    assert replaced.status_code == 302
    assert Ballot.objects.filter(election=election, source=BallotSource.IMPORTED).count() == 2


@pytest.mark.parametrize(
    ("post", "message"),
    [
        (
            {"text": GOOD.replace('"Cai Carter"', '"Kai Carter"')},
            "In the file but not candidates here: Kai Carter.",
        ),
        ({"text": GOOD.replace("2 3 0", "2 4 0")}, "line 2: preference 4 is not one of the 3 candidates"),
        ({"text": GOOD.replace("2 3 0", "2 3")}, "line 2: the ballot does not end with 0"),
        (
            {"blt_file": SimpleUploadedFile("x.blt", b"\xff\xfe3 2\n", content_type="text/plain")},
            "not UTF-8 text",
        ),
        ({}, "Choose a BLT file, or paste its text."),
    ],
)
def test_a_bad_blt_file_comes_back_with_a_clear_message_and_nothing_written(
    client: Client, election: Election, returning_officer: Any, post: dict[str, Any], message: str
) -> None:
    counted_off_system(election, 4)
    client.force_login(returning_officer)

    response = client.post(reverse("conference:result_import", args=[election.pk]), post)

    assert response.status_code in (200, 409)
    assert message in response.content.decode()
    assert not Ballot.objects.filter(source=BallotSource.IMPORTED).exists()


def test_the_count_page_takes_a_constant_number_of_queries(
    client: Client, election: Election, returning_officer: Any, django_assert_max_num_queries: Any
) -> None:
    results.run_count(actor=returning_officer, election=election, seed=1)
    client.force_login(returning_officer)
    url = reverse("conference:result_count", args=[election.pk])

    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for seed in range(2, 8):
        results.run_count(actor=returning_officer, election=election, seed=seed, reason=f"Check {seed}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("Superseded") == 6
