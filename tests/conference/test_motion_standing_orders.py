"""Motions as standing orders write them (issue 14, item 10).

Amendments say where, by the motion's numbered lines (insert after line N, delete lines N-M, replace
lines N-M), and are applied by position: carried amendments all refer to the lines as printed on the
order paper and are made from the bottom of the text up; two carried amendments that touch the same
lines are refused (the second falls). An amendment may amend another amendment's words by their lines.
A motion awaiting its seconder is seen only by its proposer, its seconder and the CAC. A motion referred
to the NC always lands on an NC agenda (see tests/committees/test_referrals.py for the agenda side).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conference.business.services import motions
from conference.models import (
    Amendment,
    AmendmentKind,
    BusinessRules,
    Conference,
    Motion,
    Outcome,
    ProposerKind,
    Ruling,
)
from conference.registration.services import ConferenceError
from members.models import Branch, DuesRate, Member
from tests.conference.conftest import paid_up_member
from tests.conference.test_motions import AT_CONFERENCE, BEFORE_DEADLINE, by_hands, present, rules, seconder
from tests.helpers.clock import frozen
from tests.helpers.http import as_user

__all__ = ["rules", "seconder"]  # fixtures used here

LINES = (
    "Conference notes the cost of living.\n"
    "Conference notes that rents are rising.\n"
    "Conference resolves to campaign for rent controls.\n"
    "Conference notes the cost of living."
)


@pytest.fixture
def motion(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member, cac: Any
) -> Motion:
    """Dora's four-line motion, seconded, ruled in order and on the order paper."""
    with frozen(BEFORE_DEADLINE):
        made = motions.submit_motion(
            actor=delegate.user,
            conference=conference,
            proposer_kind=ProposerKind.MEMBER,
            title="Rent controls",
            text=LINES,
            seconder=seconder,
        )
        motions.confirm_seconding(token=motions.seconder_token(made))
        motions.rule(actor=cac, item=made, ruling=Ruling.IN_ORDER)
    return Motion.objects.get(pk=made.pk)


def amend(motion: Motion, by: Member, second: Member, cac: Any, **what: Any) -> Amendment:
    """An amendment ``what`` to ``motion``, seconded and ruled in order."""
    with frozen(BEFORE_DEADLINE):
        made = motions.submit_amendment(
            actor=by.user, motion=motion, proposer_kind=ProposerKind.MEMBER, seconder=second, **what
        )
        motions.confirm_seconding(token=motions.seconder_token(made))
        motions.rule(actor=cac, item=made, ruling=Ruling.IN_ORDER)
    return Amendment.objects.get(pk=made.pk)


def carry(conference: Conference, cac: Any, *amendments: Amendment) -> Motion:
    """Order the business, carry each amendment in turn, then the motion; the motion as carried."""
    motion = amendments[0].motion
    with frozen(BEFORE_DEADLINE):
        motions.order_business(actor=cac, conference=conference, motions=[motion])
    present(conference, 3, cac)
    with frozen(AT_CONFERENCE):
        for amendment in amendments:
            by_hands(cac, Amendment.objects.get(pk=amendment.pk), Outcome.CARRIED, 2, 1)
        carried = by_hands(cac, Motion.objects.get(pk=motion.pk), Outcome.CARRIED, 3, 0)
    assert isinstance(carried, Motion)
    return carried


def test_an_insert_goes_after_the_line_it_names_not_at_the_end(
    conference: Conference, motion: Motion, delegate: Member, seconder: Member, cac: Any
) -> None:
    insert = amend(
        motion,
        seconder,
        delegate,
        cac,
        kind=AmendmentKind.INSERT,
        line_from=1,
        insert_text="Rents are a wage cut.",
    )
    carried = carry(conference, cac, insert)
    assert carried.carried_text.splitlines() == [
        "Conference notes the cost of living.",
        "Rents are a wage cut.",
        "Conference notes that rents are rising.",
        "Conference resolves to campaign for rent controls.",
        "Conference notes the cost of living.",
    ]


def test_a_delete_removes_the_lines_it_names_not_the_first_matching_words(
    conference: Conference, motion: Motion, delegate: Member, seconder: Member, cac: Any
) -> None:
    delete = amend(motion, seconder, delegate, cac, kind=AmendmentKind.DELETE, line_from=4, line_to=4)
    carried = carry(conference, cac, delete)
    assert carried.carried_text.splitlines() == LINES.splitlines()[:3]


def test_carried_amendments_refer_to_the_printed_lines_and_are_made_from_the_bottom_up(
    conference: Conference, motion: Motion, delegate: Member, seconder: Member, cac: Any
) -> None:
    insert = amend(
        motion, seconder, delegate, cac, kind=AmendmentKind.INSERT, line_from=0, insert_text="Preamble."
    )
    replace = amend(
        motion,
        seconder,
        delegate,
        cac,
        kind=AmendmentKind.REPLACE,
        line_from=2,
        line_to=3,
        insert_text="Conference resolves to campaign for rent caps.",
    )
    carried = carry(conference, cac, insert, replace)
    assert carried.carried_text.splitlines() == [
        "Preamble.",
        "Conference notes the cost of living.",
        "Conference resolves to campaign for rent caps.",
        "Conference notes the cost of living.",
    ]


def test_a_second_carried_amendment_to_lines_already_changed_is_refused_clearly(
    conference: Conference, motion: Motion, delegate: Member, seconder: Member, cac: Any
) -> None:
    first = amend(motion, seconder, delegate, cac, kind=AmendmentKind.DELETE, line_from=2, line_to=3)
    second = amend(
        motion,
        seconder,
        delegate,
        cac,
        kind=AmendmentKind.REPLACE,
        line_from=3,
        line_to=3,
        insert_text="Other.",
    )
    with frozen(BEFORE_DEADLINE):
        motions.order_business(actor=cac, conference=conference, motions=[motion])
    present(conference, 3, cac)
    with frozen(AT_CONFERENCE):
        by_hands(cac, first, Outcome.CARRIED, 2, 1)
        with pytest.raises(
            ConferenceError, match=r"amendment 1\.1, carried, has already changed lines 2\N{EN DASH}3"
        ):
            by_hands(cac, Amendment.objects.get(pk=second.pk), Outcome.CARRIED, 2, 1)
        motions.record_outcome(actor=cac, item=Amendment.objects.get(pk=second.pk), outcome=Outcome.FELL)
        carried = by_hands(cac, Motion.objects.get(pk=motion.pk), Outcome.CARRIED, 3, 0)
    assert isinstance(carried, Motion)
    assert carried.carried_text.splitlines() == [LINES.splitlines()[0], LINES.splitlines()[3]]


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ({"kind": "insert", "line_from": 5, "insert_text": "Too far."}, "has 4 lines"),
        ({"kind": "delete", "line_from": 3, "line_to": 9}, "has 4 lines"),
        ({"kind": "replace", "line_from": 3, "line_to": 2, "insert_text": "Back."}, "not before"),
        ({"kind": "replace", "line_from": 1, "line_to": 1, "insert_text": ""}, "the words"),
        ({"kind": "delete_insert", "insert_text": "price"}, "Choose the kind"),
    ],
)
def test_an_amendment_outside_the_motions_lines_is_refused_and_nothing_written(
    motion: Motion, delegate: Member, seconder: Member, cac: Any, what: dict[str, Any], message: str
) -> None:
    with frozen(BEFORE_DEADLINE), pytest.raises(ConferenceError, match=message):
        motions.submit_amendment(
            actor=seconder.user, motion=motion, proposer_kind=ProposerKind.MEMBER, seconder=delegate, **what
        )
    assert not Amendment.objects.exists()


def test_an_amendment_to_an_amendment_is_made_to_its_words_first_then_to_the_motion(
    conference: Conference, rules: BusinessRules, motion: Motion, delegate: Member, seconder: Member, cac: Any
) -> None:
    rules.amendments_to_amendments = True
    rules.save(update_fields=["amendments_to_amendments"])
    parent = amend(
        motion,
        seconder,
        delegate,
        cac,
        kind=AmendmentKind.INSERT,
        line_from=3,
        insert_text="Conference calls a demonstration.\nConference calls a rent strike.",
    )
    sub = amend(
        motion,
        delegate,
        seconder,
        cac,
        kind=AmendmentKind.REPLACE,
        line_from=2,
        line_to=2,
        insert_text="Conference supports tenants' unions.",
        parent=parent,
    )
    with frozen(BEFORE_DEADLINE):
        motions.order_business(actor=cac, conference=conference, motions=[motion])
    present(conference, 3, cac)
    with frozen(AT_CONFERENCE):
        with pytest.raises(ConferenceError, match="amendments are decided first"):
            by_hands(cac, Amendment.objects.get(pk=parent.pk), Outcome.CARRIED, 2, 1)
        by_hands(cac, Amendment.objects.get(pk=sub.pk), Outcome.CARRIED, 2, 1)
        by_hands(cac, Amendment.objects.get(pk=parent.pk), Outcome.CARRIED, 2, 1)
        carried = by_hands(cac, Motion.objects.get(pk=motion.pk), Outcome.CARRIED, 3, 0)
    assert isinstance(carried, Motion)
    assert carried.carried_text.splitlines()[3:5] == [
        "Conference calls a demonstration.",
        "Conference supports tenants' unions.",
    ]


def test_an_amendment_to_an_amendment_must_fit_its_words(
    rules: BusinessRules, motion: Motion, delegate: Member, seconder: Member, cac: Any
) -> None:
    rules.amendments_to_amendments = True
    rules.save(update_fields=["amendments_to_amendments"])
    parent = amend(
        motion, seconder, delegate, cac, kind=AmendmentKind.INSERT, line_from=3, insert_text="One."
    )
    with frozen(BEFORE_DEADLINE), pytest.raises(ConferenceError, match="has 1 line"):
        motions.submit_amendment(
            actor=delegate.user,
            motion=motion,
            proposer_kind=ProposerKind.MEMBER,
            seconder=seconder,
            kind=AmendmentKind.DELETE,
            line_from=2,
            line_to=2,
            parent=parent,
        )
    assert Amendment.objects.count() == 1


def test_the_motion_page_numbers_the_lines_and_shows_amendments_by_position_nested(
    client: Client,
    rules: BusinessRules,
    motion: Motion,
    delegate: Member,
    seconder: Member,
    cac: Any,
) -> None:
    rules.amendments_to_amendments = True
    rules.save(update_fields=["amendments_to_amendments"])
    parent = amend(
        motion,
        seconder,
        delegate,
        cac,
        kind=AmendmentKind.REPLACE,
        line_from=2,
        line_to=3,
        insert_text="New.",
    )
    sub = amend(
        motion,
        delegate,
        seconder,
        cac,
        kind=AmendmentKind.REPLACE,
        line_from=1,
        line_to=1,
        insert_text="Newer.",
        parent=parent,
    )
    with frozen(BEFORE_DEADLINE):
        page = as_user(client, delegate).get(reverse("conference:motion_detail", args=[motion.pk]))
    html = page.content.decode()
    assert "Replace lines 2\N{EN DASH}3 with" in html and "Replace line 1 with" in html
    # The amendment to the amendment is shown inside its parent.
    parent_at = html.index(f'id="amendment-{parent.pk}"')
    sub_at = html.index(f'id="amendment-{sub.pk}"')
    assert parent_at < sub_at < html.index("</section>", parent_at + 1) or parent_at < sub_at


# An unseconded motion ---------------------------------------------------------------------------------
@pytest.fixture
def other(london: Branch, dues_rates: dict[str, DuesRate]) -> Member:
    return paid_up_member(london, "Olga Other")


def test_a_motion_awaiting_its_seconder_is_seen_only_by_proposer_seconder_and_cac(
    client: Client,
    conference: Conference,
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
    other: Member,
    cac: Any,
) -> None:
    with frozen(BEFORE_DEADLINE):
        waiting = motions.submit_motion(
            actor=delegate.user,
            conference=conference,
            proposer_kind=ProposerKind.MEMBER,
            title="Secret plans",
            text=LINES,
            seconder=seconder,
        )
        detail = reverse("conference:motion_detail", args=[waiting.pk])
        listing = reverse("conference:motions", args=[conference.slug])
        for who in (delegate, seconder, cac):
            as_user(client, who)
            assert client.get(detail).status_code == 200
            assert "Secret plans" in client.get(listing).content.decode()
        as_user(client, other)
        assert client.get(detail).status_code == 404
        assert client.get(reverse("conference:amendment_add", args=[waiting.pk])).status_code == 404
        assert "Secret plans" not in client.get(listing).content.decode()
        motions.confirm_seconding(token=motions.seconder_token(waiting))
        assert client.get(detail).status_code == 200
