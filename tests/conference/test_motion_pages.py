"""Members' motions pages: proposing, seconding from the link, a motion with its amendments, the controls."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from awl.models import OutboundMessage
from conference.business.services import motions
from conference.models import Amendment, AmendmentKind, BusinessRules, Conference, ItemStatus, Motion, Ruling
from members.models import Branch, DuesRate, Member
from tests.conference.conftest import paid_up_member
from tests.conference.test_motions import BEFORE_DEADLINE, TEXT, rules, seconded, seconder, submit
from tests.factories import LONDON_TZ, change_status
from tests.helpers.clock import frozen
from tests.helpers.http import as_user

__all__ = ["rules", "seconder"]  # fixtures used here

AFTER_DEADLINE = dt.datetime(2027, 4, 2, 9, tzinfo=LONDON_TZ)


def motion_post(seconder: Member, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Rent controls",
        "text": TEXT,
        "topic": "Housing",
        "proposer_kind": "member",
        "seconder_email": seconder.user.email,
        **extra,
    }


@pytest.fixture
def other(london: Branch, dues_rates: dict[str, DuesRate]) -> Member:
    return paid_up_member(london, "Olga Other")


def test_a_member_proposes_a_motion_and_the_seconder_is_emailed(
    client: Client, conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    with frozen(BEFORE_DEADLINE):
        as_user(client, delegate)
        page = client.get(reverse("conference:motion_add", args=[conference.slug]))
        assert page.status_code == 200 and "At most 40 words" in page.content.decode()
        response = client.post(
            reverse("conference:motion_add", args=[conference.slug]), motion_post(seconder)
        )
    motion = Motion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "conference:motion_detail", args=[motion.pk]
    )
    assert motion.proposer == delegate and motion.seconder == seconder
    assert motion.status == ItemStatus.AWAITING_SECONDER
    assert OutboundMessage.objects.filter(to=seconder.user.email, key__contains="second").exists()
    with frozen(BEFORE_DEADLINE):
        listing = client.get(reverse("conference:motions", args=[conference.slug])).content.decode()
    assert "Rent controls" in listing and "Dora Delegate" in listing and "Awaiting its seconder" in listing


@pytest.mark.parametrize(
    ("moment", "extra", "seconded_by", "message"),
    [
        (AFTER_DEADLINE, {}, "seconder", "deadline for motions has passed"),
        (BEFORE_DEADLINE, {"text": " ".join(["word"] * 41)}, "seconder", "41 words; the limit is 40"),
        (BEFORE_DEADLINE, {}, "self", "another member, not the proposer"),
        (
            BEFORE_DEADLINE,
            {"seconder_email": "nobody@example.org"},
            "seconder",
            "could not accept this address",
        ),
        (BEFORE_DEADLINE, {}, "resigned", "could not accept this address"),
    ],
)
def test_a_refused_motion_comes_back_with_a_clear_message_and_nothing_written(
    client: Client,
    conference: Conference,
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
    moment: dt.datetime,
    extra: dict[str, str],
    seconded_by: str,
    message: str,
) -> None:
    if seconded_by == "resigned":
        change_status(seconder, "resigned", on=dt.date(2027, 3, 1))
    who = delegate if seconded_by == "self" else seconder
    with frozen(moment):
        as_user(client, delegate)
        response = client.post(
            reverse("conference:motion_add", args=[conference.slug]), motion_post(who, **extra)
        )
    assert response.status_code in (200, 409)
    assert message in response.content.decode()
    assert not Motion.objects.exists() and not OutboundMessage.objects.filter(key__contains="second").exists()


def test_an_emergency_motion_after_the_deadline_is_taken_with_its_reason(
    client: Client, conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    url = reverse("conference:motion_add", args=[conference.slug])
    with frozen(AFTER_DEADLINE):
        as_user(client, delegate)
        assert "only an emergency motion" in client.get(url).content.decode()
        response = client.post(
            url, motion_post(seconder, emergency="on", emergency_reason="The factory closed.")
        )
    assert response.status_code == 302
    assert Motion.objects.get().emergency_reason == "The factory closed."


def test_the_named_seconder_seconds_from_the_link(
    client: Client, conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = submit(delegate, seconder, conference)
        url = reverse("conference:second", args=[motions.seconder_token(motion)])
        as_user(client, seconder)
        page = client.get(url)
        assert page.status_code == 200 and "Second it" in page.content.decode()
        assert client.post(url).status_code == 302
    motion.refresh_from_db()
    assert motion.status == ItemStatus.SUBMITTED and motion.seconded_at is not None


def test_a_seconding_link_is_for_its_seconder_and_a_tampered_one_is_a_400(
    client: Client,
    conference: Conference,
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
    other: Member,
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = submit(delegate, seconder, conference)
        token = motions.seconder_token(motion)
        as_user(client, other)
        assert client.post(reverse("conference:second", args=[token])).status_code == 403
        as_user(client, seconder)
        tampered = client.post(reverse("conference:second", args=[token[:-2] + "xx"]))
        assert tampered.status_code == 400 and "not valid" in tampered.content.decode()
    motion.refresh_from_db()
    assert motion.seconded_at is None


def test_the_motion_page_renders_safe_markdown_numbered_lines_and_amendment_diffs(
    client: Client,
    conference: Conference,
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
    other: Member,
) -> None:
    text = "Conference **notes** the cost of living.\n<script>alert(1)</script>\nConference resolves to act."
    with frozen(BEFORE_DEADLINE):
        motion = seconded(delegate, seconder, conference, text=text)
        motions.submit_amendment(
            actor=other.user,
            motion=motion,
            proposer_kind="member",
            kind=AmendmentKind.REPLACE,
            line_from=3,
            line_to=3,
            insert_text="Conference resolves to campaign.",
            seconder=seconder,
        )
        motions.submit_amendment(
            actor=other.user,
            motion=motion,
            proposer_kind="member",
            kind=AmendmentKind.FREE_TEXT,
            free_text="Add a line on wages.",
            seconder=seconder,
        )
        as_user(client, other)
        html = client.get(reverse("conference:motion_detail", args=[motion.pk])).content.decode()
    assert "<strong>notes</strong>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert (
        '<del><span class="visually-hidden">Deleted line </span>3: Conference resolves to act.</del>' in html
    )
    assert "+ Conference resolves to campaign." in html
    assert "Add a line on wages." in html
    assert reverse("conference:motion_edit", args=[motion.pk]) not in html  # not the proposer's page


def test_another_member_cannot_edit_withdraw_or_answer(
    client: Client,
    conference: Conference,
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
    other: Member,
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = seconded(delegate, seconder, conference)
        amendment = motions.submit_amendment(
            actor=other.user,
            motion=motion,
            proposer_kind="member",
            kind=AmendmentKind.FREE_TEXT,
            free_text="And more.",
            seconder=seconder,
        )
        as_user(client, other)
        assert (
            client.post(
                reverse("conference:motion_edit", args=[motion.pk]), {"title": "X", "text": "Y"}
            ).status_code
            == 403
        )
        assert client.post(reverse("conference:motion_withdraw", args=[motion.pk])).status_code == 403
        assert (
            client.post(
                reverse("conference:amendment_answer", args=[amendment.pk]), {"answer": "accept"}
            ).status_code
            == 403
        )
    motion.refresh_from_db()
    amendment.refresh_from_db()
    assert (
        motion.title == "Rent controls"
        and motion.status == ItemStatus.SUBMITTED
        and amendment.accepted is None
    )


def test_the_proposer_edits_until_the_deadline_withdraws_and_answers(
    client: Client,
    conference: Conference,
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
    other: Member,
) -> None:
    with frozen(BEFORE_DEADLINE):
        as_user(client, delegate)
        motion = seconded(delegate, seconder, conference)
        amendment = motions.submit_amendment(
            actor=other.user,
            motion=motion,
            proposer_kind="member",
            kind=AmendmentKind.FREE_TEXT,
            free_text="And more.",
            seconder=seconder,
        )
        motions.confirm_seconding(token=motions.seconder_token(amendment))  # (unseconded, not yet business)
        edit = {"title": "Rent controls now", "text": TEXT, "topic": "Housing"}
        assert client.post(reverse("conference:motion_edit", args=[motion.pk]), edit).status_code == 302
        answer = client.post(
            reverse("conference:amendment_answer", args=[amendment.pk]), {"answer": "accept"}
        )
        assert answer.status_code == 302
    with frozen(AFTER_DEADLINE):
        as_user(client, delegate)
        late = client.post(reverse("conference:motion_edit", args=[motion.pk]), {**edit, "title": "Too late"})
        assert late.status_code == 409 and "can no longer be edited" in late.content.decode()
        assert client.post(reverse("conference:motion_withdraw", args=[motion.pk])).status_code == 302
    motion.refresh_from_db()
    amendment.refresh_from_db()
    assert motion.title == "Rent controls now" and motion.status == ItemStatus.WITHDRAWN
    assert amendment.accepted is True


def amendment_post(seconder: Member, **extra: str) -> dict[str, str]:
    return {
        "kind": "replace",
        "line_from": "2",
        "line_to": "2",
        "insert_text": "Conference resolves to campaign for rent controls in every town and city.",
        "proposer_kind": "member",
        "seconder_email": seconder.user.email,
        **extra,
    }


def test_a_member_proposes_an_amendment(
    client: Client,
    conference: Conference,
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
    other: Member,
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = seconded(delegate, seconder, conference)
        as_user(client, other)
        url = reverse("conference:amendment_add", args=[motion.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, amendment_post(seconder)).status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.insert_text.endswith("every town and city.") and amendment.proposer == other
    assert (amendment.kind, amendment.line_from, amendment.line_to) == ("replace", 2, 2)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"line_from": "3", "line_to": "4"}, "The motion has 2 lines"),
        ({"out_of_order": "1"}, "ruled out of order"),
    ],
)
def test_a_refused_amendment_comes_back_with_a_clear_message_and_nothing_written(
    client: Client,
    conference: Conference,
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
    other: Member,
    cac: Any,
    change: dict[str, str],
    message: str,
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = seconded(delegate, seconder, conference)
        if change.pop("out_of_order", None):
            motions.rule(
                actor=cac, item=motion, ruling=Ruling.OUT_OF_ORDER, reason="Not conference business."
            )
        as_user(client, other)
        response = client.post(
            reverse("conference:amendment_add", args=[motion.pk]), amendment_post(seconder, **change)
        )
    assert response.status_code == 409 and message in response.content.decode()
    assert not Amendment.objects.exists()


def test_the_motions_list_takes_a_constant_number_of_queries(
    client: Client,
    conference: Conference,
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
    django_assert_max_num_queries: Any,
) -> None:
    url = reverse("conference:motions", args=[conference.slug])
    with frozen(BEFORE_DEADLINE):
        as_user(client, delegate)
        seconded(delegate, seconder, conference)
        with django_assert_max_num_queries(20) as few:
            client.get(url)
        for n in range(8):
            seconded(delegate, seconder, conference, title=f"Motion {n}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url)


def test_the_motion_page_offers_no_edit_or_amendment_once_the_rules_refuse_them(
    client: Client, conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member, cac: Any
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = seconded(delegate, seconder, conference)
        url = reverse("conference:motion_detail", args=[motion.pk])
        as_user(client, delegate)
        before = client.get(url).content.decode()
        motions.rule(actor=cac, item=motion, ruling=Ruling.OUT_OF_ORDER, reason="Not conference business")
        after = client.get(url).content.decode()

    assert "Edit the motion" in before and "Propose an amendment" in before
    assert "Edit the motion" not in after and "Propose an amendment" not in after
