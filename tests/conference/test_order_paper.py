"""The CAC report and the order paper: every item's fate, debating-order numbering, the PDF, publication,
and constant queries however much business there is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awl.models import OutboundMessage
from conference.business import order_paper
from conference.business.services import motions
from conference.business.services import publication as business
from conference.models import Amendment, BusinessRules, Conference, ItemStatus, Motion, Ruling
from conference.registration import services
from conference.registration.services import ConferenceError
from members.models import Member
from tests.conference.business_objects import bulk_business


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, read back by poppler's pdftotext (.ci/run installs poppler-utils)."""
    import subprocess

    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_the_cac_report_gives_every_item_its_fate(conference: Conference, cac: Any) -> None:
    made = bulk_business(conference, 4, 0)
    first, second, third, fourth = made
    Motion.objects.filter(pk=third.pk).update(ruling=Ruling.PENDING, position=None)
    motions.rule(
        actor=cac, item=Motion.objects.get(pk=third.pk), ruling=Ruling.OUT_OF_ORDER, reason="Not policy"
    )
    Motion.objects.filter(pk=fourth.pk).update(status=ItemStatus.WITHDRAWN)
    combined = motions.composite(
        actor=cac,
        conference=conference,
        motions=[first, second],
        title="Composite on housing",
        text="Conference resolves.",
        movers_agreed=True,
    )
    accepted = Amendment.objects.create(
        motion=combined, proposer_kind="nc", status=ItemStatus.SUBMITTED, ruling=Ruling.IN_ORDER,
        kind="free_text", free_text="Add: now.", accepted=True,
    )  # fmt: skip
    refused = Amendment.objects.create(
        motion=combined, proposer_kind="nc", status=ItemStatus.SUBMITTED, ruling=Ruling.IN_ORDER,
        kind="free_text", free_text="Add: later.", accepted=False,
    )  # fmt: skip
    ruled_out = Amendment.objects.create(
        motion=combined, proposer_kind="nc", status=ItemStatus.SUBMITTED, ruling=Ruling.OUT_OF_ORDER,
        ruling_reason="Wrecking", kind="free_text", free_text="Delete all.",
    )  # fmt: skip
    report = {entry.item.pk: entry for entry in order_paper.cac_report(conference)}
    assert set(report) == {first.pk, second.pk, third.pk, fourth.pk, combined.pk}
    assert report[first.pk].fate == "Composite 1" and report[second.pk].fate == "Composite 1"
    assert report[combined.pk].fate == "Composite 1"
    assert (
        "Motion number 001" in report[combined.pk].reason
        and "Motion number 002" in report[combined.pk].reason
    )
    assert (report[third.pk].fate, report[third.pk].reason) == ("Out of order", "Not policy")
    assert report[fourth.pk].fate == "Withdrawn"
    fates = {a.item.pk: (a.fate, a.reason) for a in report[combined.pk].amendments}
    assert fates[accepted.pk][0] == "Amendment accepted"
    assert fates[refused.pk][0] == "Amendment not accepted"
    assert fates[ruled_out.pk] == ("Out of order", "Wrecking")


def test_the_order_paper_numbers_motions_and_amendments_in_debating_order(
    conference: Conference, cac: Any
) -> None:
    first, second = bulk_business(conference, 2, 3)
    motions.order_business(actor=cac, conference=conference, motions=[second, first])
    paper = order_paper.order_paper(conference)
    assert [(p.number, p.motion.pk) for p in paper] == [("1", second.pk), ("2", first.pk)]
    # Amendments 0 and 2 went to the first motion, 1 to the second; none is out of order ((n + 1) % 7).
    assert [a.number for a in paper[1].amendments] == ["2.1", "2.2"]
    assert [a.number for a in paper[0].amendments] == ["1.1"]


def test_the_order_paper_pdf_renders_with_the_titles_in_order(conference: Conference, cac: Any) -> None:
    made = bulk_business(conference, 3, 2)
    motions.order_business(actor=cac, conference=conference, motions=[made[2], made[0], made[1]])
    response = client_for(cac).get(reverse("conference:order_paper_pdf", args=[conference.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response.content)
    positions = [text.index(f"Motion number {n:03d}") for n in (3, 1, 2)]
    assert positions == sorted(positions)
    assert "Amendment 2.1" in text


@pytest.mark.parametrize(
    "page", ["conference:order_paper", "conference:cac_report", "conference:business", "conference:outcomes"]
)
def test_the_pages_take_the_same_queries_for_150_motions_as_for_3(
    conference: Conference, cac: Any, page: str, django_assert_max_num_queries: Any
) -> None:
    client = client_for(cac)
    url = reverse(page, args=[conference.slug])
    bulk_business(conference, 3, 5)
    client.get(url)  # warm the session and permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    Motion.objects.filter(conference=conference).delete()
    bulk_business(conference, 150, 400)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200
    assert b"Motion number 150" in response.content


def test_before_publication_only_the_cac_reads_them_after_it_registered_members(
    conference: Conference, cac: Any, delegate: Member, member: Member, national_office: Any
) -> None:
    bulk_business(conference, 2, 1)
    with time_at(dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC)):
        services.register(member=delegate, conference=conference, fee_band="waged")
    urls = [
        reverse(name, args=[conference.slug]) for name in ("conference:order_paper", "conference:cac_report")
    ]
    for url in urls:
        assert client_for(cac).get(url).status_code == 200
        assert client_for(delegate.user).get(url).status_code == 404
    assert (
        client_for(delegate.user)
        .get(reverse("conference:order_paper_pdf", args=[conference.slug]))
        .status_code
        == 404
    )
    response = client_for(cac).post(reverse("conference:business_publish", args=[conference.slug]))
    assert response.status_code == 302
    rules = BusinessRules.objects.get(conference=conference)
    assert rules.order_paper_published_at and rules.cac_report_published_at
    for url in urls:
        assert client_for(delegate.user).get(url).status_code == 200
        assert client_for(member.user).get(url).status_code == 404  # a member, not registered
    mails = OutboundMessage.objects.filter(key__contains="-order-paper-")
    assert list(mails.values_list("to", flat=True)) == [delegate.user.email]
    business.publish_business(actor=cac, conference=conference)
    assert mails.count() == 1  # published again: no one mailed twice


def test_only_the_cac_publishes_and_rules(conference: Conference, delegate: Member, cac: Any) -> None:
    (motion,) = bulk_business(conference, 1, 0)
    with pytest.raises(ConferenceError):
        business.publish_business(actor=delegate.user, conference=conference)
    for name, args in (
        ("conference:business", [conference.slug]),
        ("conference:business_rules", [conference.slug]),
        ("conference:composite", [conference.slug]),
        ("conference:business_order", [conference.slug]),
        ("conference:business_publish", [conference.slug]),
        ("conference:rule", ["motion", motion.pk]),
    ):
        assert client_for(delegate.user).get(reverse(name, args=args)).status_code == 403
        assert client_for(cac).get(reverse(name, args=args)).status_code == 200
    assert BusinessRules.objects.get(conference=conference).order_paper_published_at is None


def time_at(moment: dt.datetime) -> Any:
    import time_machine

    return time_machine.travel(moment, tick=False)


def test_publishing_an_empty_order_paper_is_refused(conference: Conference, cac: Any) -> None:
    now = timezone.now()
    BusinessRules.objects.create(conference=conference, motions_deadline=now, amendments_deadline=now)
    response = client_for(cac).post(reverse("conference:business_publish", args=[conference.slug]))
    assert response.status_code == 409
    assert BusinessRules.objects.get(conference=conference).order_paper_published_at is None
