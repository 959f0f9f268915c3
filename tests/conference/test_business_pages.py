"""The CAC's business pages: business rules, rulings, composites, the order of debate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from conference.models import BusinessRules, Conference, Motion, Ruling
from tests.conference.business_objects import bulk_business


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_cac_sets_the_business_rules_read_as_london_time(conference: Conference, cac: Any) -> None:
    response = client_for(cac).post(
        reverse("conference:business_rules", args=[conference.slug]),
        {
            "motions_deadline": "2027-04-01T12:00",
            "amendments_deadline": "2027-05-01T12:00",
            "word_limit": "400",
            "amendment_word_limit": "100",
            "amendments_to_amendments": "on",
        },
    )
    assert response.status_code == 302
    rules = BusinessRules.objects.get(conference=conference)
    assert rules.motions_deadline == dt.datetime(2027, 4, 1, 11, 0, tzinfo=dt.UTC)  # BST: noon in London
    assert (rules.word_limit, rules.amendment_word_limit, rules.amendments_to_amendments) == (400, 100, True)
    assert AuditEntry.objects.filter(action="conference.business_rules_set").exists()


def test_amendments_deadline_before_motions_deadline_is_refused_and_nothing_written(
    conference: Conference, cac: Any
) -> None:
    response = client_for(cac).post(
        reverse("conference:business_rules", args=[conference.slug]),
        {
            "motions_deadline": "2027-05-01T12:00",
            "amendments_deadline": "2027-04-01T12:00",
            "word_limit": "400",
            "amendment_word_limit": "100",
        },
    )
    assert response.status_code == 409
    assert not BusinessRules.objects.filter(conference=conference).exists()


def test_ruling_out_of_order_needs_a_reason_and_records_it(conference: Conference, cac: Any) -> None:
    (motion,) = bulk_business(conference, 1, 0)
    url = reverse("conference:rule", args=["motion", motion.pk])
    client = client_for(cac)
    assert client.post(url, {"ruling": "out_of_order", "reason": ""}).status_code == 409
    assert Motion.objects.get(pk=motion.pk).ruling == Ruling.IN_ORDER
    assert client.post(url, {"ruling": "out_of_order", "reason": "Not competent"}).status_code == 302
    ruled = Motion.objects.get(pk=motion.pk)
    assert (ruled.ruling, ruled.ruling_reason) == (Ruling.OUT_OF_ORDER, "Not competent")
    page = client.get(reverse("conference:business", args=[conference.slug]))
    assert b"Out of order: Not competent" in page.content


def test_a_composite_needs_the_movers_agreement(conference: Conference, cac: Any) -> None:
    first, second = bulk_business(conference, 2, 0)
    url = reverse("conference:composite", args=[conference.slug])
    data = {f"motion_{first.pk}": "on", f"motion_{second.pk}": "on", "title": "Both", "text": "We resolve."}
    client = client_for(cac)
    assert client.post(url, data).status_code == 409
    assert Motion.objects.filter(conference=conference).count() == 2
    assert client.post(url, {**data, "movers_agreed": "on"}).status_code == 302
    made = Motion.objects.get(conference=conference, title="Both")
    assert set(made.composite_of.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert set(Motion.objects.filter(pk__in=[first.pk, second.pk]).values_list("ruling", flat=True)) == {
        Ruling.COMPOSITED
    }


def test_the_order_of_debate_follows_the_numbers_given(conference: Conference, cac: Any) -> None:
    first, second, third = bulk_business(conference, 3, 0)
    response = client_for(cac).post(
        reverse("conference:business_order", args=[conference.slug]),
        {f"position_{first.pk}": "2", f"position_{second.pk}": "", f"position_{third.pk}": "1"},
    )
    assert response.status_code == 302
    positions = dict(Motion.objects.filter(conference=conference).values_list("pk", "position"))
    assert positions == {third.pk: 1, first.pk: 2, second.pk: None}
