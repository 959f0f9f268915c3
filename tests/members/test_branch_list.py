"""The branch members list and its CSV export: constant queries, filters, audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from awl.models import AuditEntry
from members.models import Member
from tests.helpers.bulk import add_members, pay_up

User = get_user_model()


def add_paid_up_members(branch, count: int, *, prefix: str) -> None:
    """``count`` members admitted a year ago and paid a year ahead, in bulk.

    Plain rows for speed, but the same state the services make: a member
    status with its status change, ``dues_from`` at admission, and one
    payment whose ``covers_to`` follows services.record_payment's rule.
    """
    joined = timezone.localdate() - dt.timedelta(days=365)
    members = add_members(
        branch,
        count,
        username=prefix + "{i}",
        email=prefix + "{i}@example.org",
        full_name=prefix.title() + " Person {i:04d}",
        joined=joined,
    )
    pay_up(members, paid_on=joined, amount=Decimal(240))


def count_queries(client, url, django_assert_max_num_queries, limit: int) -> int:
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("view", ["members:branch_members", "members:branch_members_csv"])
def test_branch_list_runs_the_same_number_of_queries_for_10_and_500_members(
    client, london, london_organiser, dues_rates, django_assert_max_num_queries, view
):
    client.force_login(london_organiser)
    url = reverse(view, args=[london.slug])
    add_paid_up_members(london, 10, prefix="few")
    client.get(url)  # warm the per-process caches (content types) so both counts are alike
    with_10 = count_queries(client, url, django_assert_max_num_queries, 20)

    add_paid_up_members(london, 490, prefix="many")
    with_500 = count_queries(client, url, django_assert_max_num_queries, 20)

    assert with_500 == with_10


def test_branch_list_filters_by_good_standing(client, london, london_organiser, member, dues_rates):
    lapsing = Member.objects.get(pk=member.pk)
    # A member whose dues stopped long ago but who has not been lapsed yet.
    add_paid_up_members(london, 1, prefix="stale")
    stale = Member.objects.get(user__username="stale0")
    stale.payments.update(covers_to=timezone.localdate() - dt.timedelta(days=400))
    client.force_login(london_organiser)

    good = client.get(reverse("members:branch_members", args=[london.slug]), {"standing": "good"})
    not_good = client.get(reverse("members:branch_members", args=[london.slug]), {"standing": "not_good"})

    assert lapsing.full_name in good.content.decode()
    assert stale.full_name not in good.content.decode()
    assert stale.full_name in not_good.content.decode()


def test_branch_list_search_finds_by_name_and_ignores_nonsense_filters(
    client, london, london_organiser, member
):
    client.force_login(london_organiser)

    found = client.get(reverse("members:branch_members", args=[london.slug]), {"q": "Rosa"})
    none = client.get(reverse("members:branch_members", args=[london.slug]), {"q": "Nobody-By-This-Name"})
    nonsense = client.get(
        reverse("members:branch_members", args=[london.slug]),
        {"status": "<script>", "standing": "'; DROP TABLE", "page": "abc"},
    )

    assert "Rosa Lund" in found.content.decode()
    assert "Rosa Lund" not in none.content.decode()
    assert nonsense.status_code in (200, 404)


def test_branch_export_is_audited_and_contains_the_branch(client, london, london_organiser, member):
    client.force_login(london_organiser)

    response = client.get(reverse("members:branch_members_csv", args=[london.slug]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert any("rosa@example.org" in row for row in rows)
    entry = AuditEntry.objects.get(action="branch.exported")
    assert entry.actor == london_organiser
    assert entry.detail["rows"] == len(rows) - 1


def test_officer_viewing_a_member_record_is_audited(client, member, london_organiser):
    client.force_login(london_organiser)

    client.get(reverse("members:member_detail", args=[member.pk]))

    entry = AuditEntry.objects.get(action="member.viewed")
    assert entry.actor == london_organiser
    assert entry.target_id == str(member.pk)
