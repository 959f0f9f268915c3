"""Conference business: motions, seconding, amendments, rulings, composites, outcomes, the text as carried."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from awl.models import OutboundMessage
from conference.business.services import motions
from conference.business.services import publication as business
from conference.models import (
    Amendment,
    AmendmentKind,
    BusinessRules,
    Conference,
    ItemStatus,
    Majority,
    Motion,
    Outcome,
    ProposerKind,
    Ruling,
    VoteMethod,
)
from conference.registration import services
from conference.registration.services import ConferenceError
from members.models import Branch, DuesRate, Member, Role
from tests.conference.conftest import paid_up_member
from tests.factories import LONDON_TZ, CommitteeFactory, ConferenceFactory, make_officer
from tests.helpers.clock import frozen

BEFORE_DEADLINE = dt.datetime(2027, 3, 20, 12, tzinfo=LONDON_TZ)
AT_CONFERENCE = dt.datetime(2027, 5, 29, 15, tzinfo=LONDON_TZ)
TEXT = (
    "Conference notes the cost of living.\nConference resolves to campaign for rent controls in every city."
)


@pytest.fixture
def rules(conference: Conference) -> BusinessRules:
    return BusinessRules.objects.create(
        conference=conference,
        motions_deadline=dt.datetime(2027, 4, 1, 12, tzinfo=LONDON_TZ),
        amendments_deadline=dt.datetime(2027, 5, 1, 12, tzinfo=LONDON_TZ),
        word_limit=40,
        amendment_word_limit=20,
    )


@pytest.fixture
def seconder(london: Branch, dues_rates: dict[str, DuesRate]) -> Member:
    return paid_up_member(london, "Sid Seconder")


def submit(proposer: Member, seconder: Member, conference: Conference, **extra: Any) -> Motion:
    values: dict[str, Any] = {"title": "Rent controls", "text": TEXT, "topic": "Housing", **extra}
    return motions.submit_motion(
        actor=proposer.user,
        conference=conference,
        proposer_kind=ProposerKind.MEMBER,
        seconder=seconder,
        **values,
    )


def seconded(proposer: Member, seconder: Member, conference: Conference, **extra: Any) -> Motion:
    motion = submit(proposer, seconder, conference, **extra)
    motions.confirm_seconding(token=motions.seconder_token(motion))
    return Motion.objects.get(pk=motion.pk)


def test_a_members_motion_waits_for_its_seconder_who_confirms_from_the_emailed_link(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = submit(delegate, seconder, conference)
        assert motion.status == ItemStatus.AWAITING_SECONDER
        [ask] = OutboundMessage.objects.filter(to=seconder.user.email, key__contains="second")
        assert "Rent controls" in ask.body_text
        motions.confirm_seconding(token=motions.seconder_token(motion))
        motions.confirm_seconding(token=motions.seconder_token(motion))  # twice changes nothing

    motion.refresh_from_db()
    assert motion.status == ItemStatus.SUBMITTED and motion.seconded_at is not None


@pytest.mark.parametrize(
    ("who", "message"),
    [("self", "another member, not the proposer"), ("none", "needs another member")],
)
def test_a_motion_cannot_be_seconded_by_its_proposer_or_by_nobody(
    conference: Conference, rules: BusinessRules, delegate: Member, who: str, message: str
) -> None:
    with frozen(BEFORE_DEADLINE), pytest.raises(ConferenceError, match=message):
        submit(delegate, delegate if who == "self" else None, conference)  # type: ignore[arg-type]
    assert not Motion.objects.exists()


def test_a_non_member_cannot_second(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    from tests.factories import change_status

    change_status(seconder, "resigned", on=dt.date(2027, 3, 1))
    seconder.refresh_from_db()
    with frozen(BEFORE_DEADLINE), pytest.raises(ConferenceError, match="must be a member"):
        submit(delegate, seconder, conference)
    assert not Motion.objects.exists()


def test_a_tampered_seconding_link_is_refused(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = submit(delegate, seconder, conference)
        with pytest.raises(ConferenceError, match="not valid"):
            motions.confirm_seconding(token=motions.seconder_token(motion) + "x")
    motion.refresh_from_db()
    assert motion.seconded_at is None


def test_only_the_named_seconder_confirms_the_seconding(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = submit(delegate, seconder, conference)
        token = motions.seconder_token(motion)
        with pytest.raises(ConferenceError, match="named as seconder"):
            motions.confirm_seconding(token=token, actor=delegate.user)
        motion.refresh_from_db()
        assert motion.seconded_at is None
        motions.confirm_seconding(token=token, actor=seconder.user)
    motion.refresh_from_db()
    assert motion.status == ItemStatus.SUBMITTED and motion.seconded_at is not None


def test_over_the_word_limit_is_refused(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    with frozen(BEFORE_DEADLINE), pytest.raises(ConferenceError, match="41 words; the limit is 40"):
        submit(delegate, seconder, conference, text=" ".join(["word"] * 41))
    assert not Motion.objects.exists()


def test_after_the_deadline_only_an_emergency_motion_with_its_reason_is_taken(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    with frozen(dt.datetime(2027, 4, 2, 9, tzinfo=LONDON_TZ)):
        with pytest.raises(ConferenceError, match="deadline for motions has passed"):
            submit(delegate, seconder, conference)
        with pytest.raises(ConferenceError, match="what has happened since"):
            submit(delegate, seconder, conference, emergency=True)
        motion = submit(delegate, seconder, conference, emergency=True, emergency_reason="The strike began")
    assert Motion.objects.get().pk == motion.pk and motion.emergency


@pytest.mark.parametrize(
    ("moment", "over"),
    [
        # The conference ends on Sunday 30 May 2027; London is on BST, an hour ahead of UTC.
        (dt.datetime(2027, 5, 30, 23, 30, tzinfo=LONDON_TZ), False),  # the last evening
        (dt.datetime(2027, 5, 31, 0, 30, tzinfo=LONDON_TZ), True),  # the next day in London, not yet in UTC
    ],
    ids=["last-evening", "just-after-midnight"],
)
def test_the_conference_is_over_from_midnight_london_time(
    conference: Conference,
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
    moment: dt.datetime,
    over: bool,
) -> None:
    with frozen(moment):
        if over:
            with pytest.raises(ConferenceError, match="conference is over"):
                submit(delegate, seconder, conference, emergency=True, emergency_reason="The strike began")
        else:
            submit(delegate, seconder, conference, emergency=True, emergency_reason="The strike began")
    assert Motion.objects.exists() is not over


@pytest.mark.parametrize(
    ("deadline", "allowed"),
    [
        # Given in UTC, as a caller holding a stored deadline would: the rule is read in London time.
        (dt.datetime(2027, 5, 29, 22, 30, tzinfo=dt.UTC), True),  # 23:30 on the first day in London
        (dt.datetime(2027, 5, 29, 23, 30, tzinfo=dt.UTC), False),  # 00:30 on the second day in London
    ],
    ids=["first-day", "second-day"],
)
def test_the_motions_deadline_falls_by_the_first_day_of_conference_in_london_time(
    conference: Conference, cac: Any, deadline: dt.datetime, allowed: bool
) -> None:
    def save() -> BusinessRules:
        return business.save_rules(
            actor=cac,
            conference=conference,
            motions_deadline=deadline,
            amendments_deadline=deadline,
            word_limit=400,
            amendment_word_limit=100,
            amendments_to_amendments=False,
        )

    with frozen(BEFORE_DEADLINE):
        if allowed:
            assert save().motions_deadline == deadline
        else:
            with pytest.raises(ConferenceError, match="must come before the conference"):
                save()
            assert not BusinessRules.objects.exists()


def test_a_branch_motion_is_put_by_its_organiser_with_the_meeting_date(
    conference: Conference, rules: BusinessRules, london: Branch, member: Member
) -> None:
    organiser = make_officer(Role.BRANCH_ORGANISER, london, email="org@example.org")
    with frozen(BEFORE_DEADLINE):
        with pytest.raises(ConferenceError, match="put by its organiser"):
            motions.submit_motion(
                actor=member.user,
                conference=conference,
                proposer_kind=ProposerKind.BRANCH,
                title="T",
                text="Words",
                branch=london,
                branch_meeting_on=dt.date(2027, 3, 10),
            )
        with pytest.raises(ConferenceError, match="branch meeting"):
            motions.submit_motion(
                actor=organiser,
                conference=conference,
                proposer_kind=ProposerKind.BRANCH,
                title="T",
                text="Words",
                branch=london,
            )
        motion = motions.submit_motion(
            actor=organiser,
            conference=conference,
            proposer_kind=ProposerKind.BRANCH,
            title="T",
            text="Words",
            branch=london,
            branch_meeting_on=dt.date(2027, 3, 10),
        )
    assert motion.status == ItemStatus.SUBMITTED and motion.branch == london


def test_an_amendment_must_name_lines_that_are_in_the_motion(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = seconded(delegate, seconder, conference)
        with pytest.raises(ConferenceError, match="The motion has 2 lines"):
            motions.submit_amendment(
                actor=seconder.user,
                motion=motion,
                proposer_kind=ProposerKind.MEMBER,
                kind=AmendmentKind.DELETE,
                line_from=3,
                line_to=3,
                seconder=delegate,
            )
    assert not Amendment.objects.exists()


def test_no_amendment_to_a_motion_ruled_out_of_order(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member, cac: Any
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = seconded(delegate, seconder, conference)
        motions.rule(actor=cac, item=motion, ruling=Ruling.OUT_OF_ORDER, reason="Not conference business")
        with pytest.raises(ConferenceError, match="out of order"):
            motions.submit_amendment(
                actor=seconder.user,
                motion=motion,
                proposer_kind=ProposerKind.MEMBER,
                kind=AmendmentKind.FREE_TEXT,
                free_text="Add this",
                seconder=delegate,
            )
    assert not Amendment.objects.exists()
    ruling = OutboundMessage.objects.get(key__contains="ruling")
    assert ruling.to == delegate.user.email and "Not conference business" in ruling.body_text


def test_out_of_order_needs_a_reason(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member, cac: Any
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = seconded(delegate, seconder, conference)
        with pytest.raises(ConferenceError, match="reason"):
            motions.rule(actor=cac, item=motion, ruling=Ruling.OUT_OF_ORDER, reason=" ")
    motion.refresh_from_db()
    assert motion.ruling == Ruling.PENDING


def test_a_composite_replaces_motions_whose_movers_agreed(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member, cac: Any
) -> None:
    with frozen(BEFORE_DEADLINE):
        first = seconded(delegate, seconder, conference)
        second = seconded(seconder, delegate, conference, title="Rent caps")
        with pytest.raises(ConferenceError, match="agreement of the movers"):
            motions.composite(
                actor=cac,
                conference=conference,
                motions=[first, second],
                title="Housing",
                text="Words",
                movers_agreed=False,
            )
        made = motions.composite(
            actor=cac,
            conference=conference,
            motions=[first, second],
            title="Housing composite",
            text="Conference resolves to fight for rent controls.",
            movers_agreed=True,
        )

    assert set(made.composite_of.all()) == {first, second}
    assert {m.ruling for m in Motion.objects.filter(pk__in=[first.pk, second.pk])} == {Ruling.COMPOSITED}
    assert made.ruling == Ruling.IN_ORDER and made.movers_agreed


def test_no_ruling_before_the_seconder_confirms(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member, cac: Any
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = submit(delegate, seconder, conference)
        with pytest.raises(ConferenceError, match="seconder has not confirmed"):
            motions.rule(actor=cac, item=motion, ruling=Ruling.IN_ORDER)
    motion.refresh_from_db()
    assert motion.ruling == Ruling.PENDING


def test_only_this_conferences_motions_ruled_in_order_go_in_the_order_of_debate(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member, cac: Any
) -> None:
    with frozen(BEFORE_DEADLINE):
        ruled = seconded(delegate, seconder, conference)
        motions.rule(actor=cac, item=ruled, ruling=Ruling.IN_ORDER)
        pending = seconded(seconder, delegate, conference, title="Rent caps")
        other = ConferenceFactory.create(
            year=2031,
            title="Annual conference 2031",
            starts_on=dt.date(2031, 5, 30),
            registration_opens_at=conference.registration_opens_at,
            registration_closes_at=conference.registration_closes_at,
            eligibility_cutoff=dt.date(2031, 3, 1),
        )
        elsewhere = Motion.objects.create(
            conference=other,
            proposer_kind=ProposerKind.NC,
            status=ItemStatus.SUBMITTED,
            ruling=Ruling.IN_ORDER,
            title="Elsewhere",
            text="Conference resolves.",
        )
        for wrong in ([ruled, pending], [ruled, elsewhere], [ruled, ruled]):
            with pytest.raises(ConferenceError):
                motions.order_business(actor=cac, conference=conference, motions=wrong)
        motions.order_business(actor=cac, conference=conference, motions=[ruled])
    assert list(Motion.objects.filter(position__isnull=False).values_list("pk", "position")) == [
        (ruled.pk, 1)
    ]


@pytest.mark.parametrize(
    ("majority", "votes_for", "against", "met"),
    [
        (Majority.SIMPLE, 51, 50, True),
        (Majority.SIMPLE, 50, 50, False),
        (Majority.TWO_THIRDS, 66, 33, True),  # exactly two thirds
        (Majority.TWO_THIRDS, 65, 33, False),
        (Majority.TWO_THIRDS, 2, 1, True),
        (Majority.TWO_THIRDS, 0, 0, False),
    ],
)
def test_the_majority_is_computed_from_the_votes_for_and_against(
    majority: str, votes_for: int, against: int, met: bool
) -> None:
    assert motions.majority_met(majority, votes_for, against) is met


@pytest.fixture
def debate(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member, cac: Any
) -> tuple[Motion, Amendment, Amendment]:
    """A motion with two amendments replacing its lines 1 and 2, ruled in order and on the order paper."""
    with frozen(BEFORE_DEADLINE):
        motion = seconded(delegate, seconder, conference)
        first = motions.submit_amendment(
            actor=seconder.user,
            motion=motion,
            proposer_kind=ProposerKind.MEMBER,
            kind=AmendmentKind.REPLACE,
            line_from=1,
            insert_text="Conference notes the cost-of-living crisis.",
            seconder=delegate,
        )
        second = motions.submit_amendment(
            actor=seconder.user,
            motion=motion,
            proposer_kind=ProposerKind.MEMBER,
            kind=AmendmentKind.REPLACE,
            line_from=2,
            insert_text="Conference resolves to campaign for rent controls in every town and city.",
            seconder=delegate,
        )
        for item in (first, second):
            motions.confirm_seconding(token=motions.seconder_token(item))
        for business in (motion, first, second):
            motions.rule(actor=cac, item=business, ruling=Ruling.IN_ORDER)
        motions.order_business(actor=cac, conference=conference, motions=[motion])
    return (
        Motion.objects.get(pk=motion.pk),
        Amendment.objects.get(pk=first.pk),
        Amendment.objects.get(pk=second.pk),
    )


def present(conference: Conference, people: int, cac: Any) -> None:
    """``people`` entitled members registered and checked in."""
    branch = Branch.objects.get(slug="london")
    with frozen(dt.datetime(2027, 3, 10, 12, tzinfo=LONDON_TZ)):
        for n in range(people):
            person = paid_up_member(branch, f"Voter {n}")
            registration = services.register(member=person, conference=conference, fee_band="waged")
            services.check_in(actor=cac, registration=registration)


def by_hands(
    cac: Any, item: Motion | Amendment, outcome: str, votes_for: int, votes_against: int, **extra: Any
) -> Any:
    """The CAC records ``outcome`` for ``item`` on a show of hands, ``votes_for`` to ``votes_against``."""
    return motions.record_outcome(
        actor=cac,
        item=item,
        outcome=outcome,
        method=VoteMethod.HANDS,
        votes_for=votes_for,
        votes_against=votes_against,
        **extra,
    )


def test_the_text_as_carried_merges_two_carried_amendments(
    conference: Conference, debate: tuple[Motion, Amendment, Amendment], cac: Any
) -> None:
    motion, first, second = debate
    present(conference, 3, cac)
    with frozen(AT_CONFERENCE):
        with pytest.raises(ConferenceError, match="amendments are decided first"):
            by_hands(cac, motion, Outcome.CARRIED, 2, 1)
        for amendment in (first, second):
            by_hands(cac, amendment, Outcome.CARRIED, 2, 1)
        carried = by_hands(cac, motion, Outcome.CARRIED, 3, 0)

    assert isinstance(carried, Motion)
    assert carried.carried_text == (
        "Conference notes the cost-of-living crisis.\n"
        "Conference resolves to campaign for rent controls in every town and city."
    )
    assert carried.majority_met is True


def test_an_accepted_amendment_is_part_of_the_motion_and_a_lost_one_is_not(
    conference: Conference, debate: tuple[Motion, Amendment, Amendment], delegate: Member, cac: Any
) -> None:
    motion, first, second = debate
    present(conference, 3, cac)
    motions.answer_amendment(actor=delegate.user, amendment=first, accept=True)
    with frozen(AT_CONFERENCE):
        with pytest.raises(ConferenceError, match="accepted"):
            by_hands(cac, first, Outcome.CARRIED, 2, 1)
        by_hands(cac, second, Outcome.LOST, 1, 2)
        carried = by_hands(cac, motion, Outcome.CARRIED, 3, 0)
    assert isinstance(carried, Motion)
    assert (
        "cost-of-living crisis" in carried.carried_text and "every town and city" not in carried.carried_text
    )


def test_counts_larger_than_those_present_are_refused(
    conference: Conference, debate: tuple[Motion, Amendment, Amendment], cac: Any
) -> None:
    _, first, _ = debate
    present(conference, 3, cac)
    with frozen(AT_CONFERENCE), pytest.raises(ConferenceError, match="only 3 entitled members are present"):
        by_hands(cac, first, Outcome.CARRIED, 3, 1)
    first.refresh_from_db()
    assert first.outcome == ""


def test_an_outcome_that_contradicts_the_counts_is_refused(
    conference: Conference, debate: tuple[Motion, Amendment, Amendment], cac: Any
) -> None:
    _, first, _ = debate
    present(conference, 3, cac)
    with frozen(AT_CONFERENCE), pytest.raises(ConferenceError, match="counts say it was lost"):
        by_hands(cac, first, Outcome.CARRIED, 1, 1, majority=Majority.SIMPLE)


def test_no_outcome_before_the_conference_has_begun(
    conference: Conference, debate: tuple[Motion, Amendment, Amendment], cac: Any
) -> None:
    _, first, _ = debate
    with frozen(BEFORE_DEADLINE), pytest.raises(ConferenceError, match="not begun"):
        motions.record_outcome(actor=cac, item=first, outcome=Outcome.NOT_REACHED)
    first.refresh_from_db()
    assert first.outcome == ""


def test_a_motion_referred_to_the_nc_goes_on_its_next_agenda(
    conference: Conference, debate: tuple[Motion, Amendment, Amendment], cac: Any
) -> None:
    from committees.models import AgendaItem, CommitteeKind, Meeting

    nc = CommitteeFactory.create(name="National Committee", slug="nc", kind=CommitteeKind.NATIONAL)
    starts = dt.datetime(2027, 6, 12, 11, tzinfo=LONDON_TZ)
    meeting = Meeting.objects.create(committee=nc, starts_at=starts, ends_at=starts + dt.timedelta(hours=4))
    motion, first, second = debate
    with frozen(AT_CONFERENCE):
        for amendment in (first, second):
            motions.record_outcome(actor=cac, item=amendment, outcome=Outcome.NOT_REACHED)
        motions.record_outcome(actor=cac, item=motion, outcome=Outcome.REFERRED)

    [item] = AgendaItem.objects.filter(meeting=meeting)
    assert item.title == "Referred by conference 2027: Rent controls" and item.section == "motions"


def test_the_proposer_edits_until_the_deadline_and_withdraws_until_debated(
    conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member, cac: Any
) -> None:
    with frozen(BEFORE_DEADLINE):
        motion = seconded(delegate, seconder, conference)
        with pytest.raises(ConferenceError, match="Only its proposer"):
            motions.edit_motion(actor=seconder.user, motion=motion, title="Mine now", text="Words")
        motions.edit_motion(actor=delegate.user, motion=motion, title="Rent controls now", text=TEXT)
    with frozen(dt.datetime(2027, 4, 2, 9, tzinfo=LONDON_TZ)):
        with pytest.raises(ConferenceError, match="deadline"):
            motions.edit_motion(actor=delegate.user, motion=motion, title="Too late", text=TEXT)
        motions.withdraw(actor=delegate.user, item=motion)
    motion.refresh_from_db()
    assert (motion.title, motion.status) == ("Rent controls now", ItemStatus.WITHDRAWN)


def test_amendments_to_amendments_only_when_the_conference_allows_and_only_to_the_same_motion(
    conference: Conference,
    debate: tuple[Motion, Amendment, Amendment],
    rules: BusinessRules,
    delegate: Member,
    seconder: Member,
) -> None:
    motion, first, _ = debate
    other = Motion.objects.create(
        conference=conference,
        proposer_kind=ProposerKind.MEMBER,
        title="Other",
        text="Other words",
        status=ItemStatus.SUBMITTED,
    )

    def amend(on: Motion) -> Amendment:
        return motions.submit_amendment(
            actor=seconder.user,
            motion=on,
            proposer_kind=ProposerKind.MEMBER,
            kind=AmendmentKind.REPLACE,
            line_from=1,
            insert_text="Conference notes the cost-of-living emergency.",
            seconder=delegate,
            parent=first,
        )

    with frozen(BEFORE_DEADLINE):
        with pytest.raises(ConferenceError, match="does not take amendments to amendments"):
            amend(motion)
        rules.amendments_to_amendments = True
        rules.save(update_fields=["amendments_to_amendments"])
        with pytest.raises(ConferenceError, match="another motion"):
            amend(other)
        made = amend(motion)
    assert made.parent == first
    assert Amendment.objects.filter(parent__isnull=False).count() == 1


def test_no_outcome_for_a_motion_off_the_order_paper_or_not_ruled_in_order(
    conference: Conference,
    debate: tuple[Motion, Amendment, Amendment],
    cac: Any,
    delegate: Member,
    seconder: Member,
) -> None:
    with frozen(BEFORE_DEADLINE):
        unruled = seconded(delegate, seconder, conference, title="Unruled")
        unordered = seconded(delegate, seconder, conference, title="Unordered")
        motions.rule(actor=cac, item=unordered, ruling=Ruling.IN_ORDER)
    with frozen(AT_CONFERENCE):
        with pytest.raises(ConferenceError, match="ruled in order"):
            motions.record_outcome(actor=cac, item=unruled, outcome=Outcome.NOT_REACHED)
        with pytest.raises(ConferenceError, match="not on the order paper"):
            motions.record_outcome(actor=cac, item=unordered, outcome=Outcome.NOT_REACHED)
    assert not Motion.objects.exclude(outcome="").exists()


def test_no_withdrawal_after_debate_and_no_composite_of_a_motion_no_longer_standing(
    conference: Conference,
    debate: tuple[Motion, Amendment, Amendment],
    cac: Any,
    delegate: Member,
    seconder: Member,
) -> None:
    motion, first, second = debate
    with frozen(BEFORE_DEADLINE):
        spare = seconded(delegate, seconder, conference, title="Spare")
    with frozen(AT_CONFERENCE):
        for amendment in (first, second):
            motions.record_outcome(actor=cac, item=amendment, outcome=Outcome.NOT_REACHED)
        motions.record_outcome(actor=cac, item=motion, outcome=Outcome.REMITTED)
        with pytest.raises(ConferenceError, match="debated"):
            motions.withdraw(actor=delegate.user, item=motion)
        with pytest.raises(ConferenceError, match="still standing"):
            motions.composite(
                actor=cac,
                conference=conference,
                motions=[motion, spare],
                title="Too late",
                text="Words",
                movers_agreed=True,
            )
    motion.refresh_from_db()
    assert motion.status == ItemStatus.SUBMITTED
    assert Motion.objects.filter(conference=conference).count() == 2
