"""Conference business: motions, amendments, the CAC's rulings and composites, outcomes, the policy record.

One transaction per function, keyword-only arguments, an ``actor``, an audit
entry and ``ConferenceError`` with a message fit to show; mail through the
outbox in the same transaction. Every rule the conference's standing orders
give is checked here, so the pages, the admin and the tests all meet the
same rules:

* motions by the deadline (an emergency motion after it carries its reason),
  within the word limit; a member's motion needs another member to second it,
  who confirms from an e-mailed link; a branch's is put by its organiser after
  the branch meeting that agreed it; the NC's or EC's by its secretary;
* amendments by their deadline, to a motion not ruled out of order, saying
  where by the numbered lines of the text they amend (the motion's, or
  another amendment's words): insert after line N, delete lines N-M, replace
  lines N-M (free text stays possible, for the CAC to merge by hand);
* rulings (in order, out of order with the reason sent to the proposer,
  composited into a composite whose movers agreed), the order of debate;
* outcomes after the item is reached: amendments to an amendment before it,
  amendments before their motion; the
  majority met is computed from the counts (abstentions aside), never typed,
  and counts cannot exceed those present and entitled.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core import signing
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from awl.audit import log_action
from awl.outbox import queue_email
from awl.permissions import has_rule
from conference.business.models import DASH, POSITIONAL
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
from conference.registration.selectors import own_member
from conference.registration.services import ConferenceError, counts
from conference.rules import RUN
from members import roles
from members.models import Branch, Member, MemberStatus, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SECONDER_SALT = "conference.seconder"
COUNTED = {Outcome.CARRIED, Outcome.LOST}


def words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def rules_for(conference: Conference) -> BusinessRules:
    found = BusinessRules.objects.filter(conference=conference).first()
    if found is None:
        raise ConferenceError("This conference is not taking motions yet: the CAC has not set its deadlines.")
    return found


def _require_cac(actor: User | None, conference: Conference, message: str) -> None:
    if actor is not None and not has_rule(actor, RUN, conference):
        raise ConferenceError(message)


def _check_proposer(
    actor: User, proposer_kind: str, branch: Branch | None, branch_meeting_on: dt.date | None
) -> Member | None:
    """Who may propose in each capacity; returns the proposing member (None for a body)."""
    member = own_member(actor)
    if proposer_kind == ProposerKind.MEMBER:
        if member is None or member.status != MemberStatus.MEMBER:
            raise ConferenceError("Only members propose motions and amendments.")
        return member
    if proposer_kind == ProposerKind.BRANCH:
        if branch is None or not roles.has_role(actor, Role.BRANCH_ORGANISER, branch_id=branch.pk):
            raise ConferenceError("A branch's motion is put by its organiser.")
        if branch_meeting_on is None or branch_meeting_on > timezone.localdate():
            raise ConferenceError("Give the date of the branch meeting that agreed it (not in the future).")
        return member
    if proposer_kind in (ProposerKind.NC, ProposerKind.EC):
        from committees.models import Committee, CommitteeKind

        kind = CommitteeKind.NATIONAL if proposer_kind == ProposerKind.NC else CommitteeKind.EXECUTIVE
        committee = Committee.objects.filter(kind=kind).first()
        if committee is None or not has_rule(actor, "committees.manage_meetings", committee):
            raise ConferenceError("A committee's motion is put by its secretary.")
        return member
    raise ConferenceError("Choose who is proposing it.")


def _check_words(text: str, limit: int, what: str) -> None:
    count = words(text)
    if count == 0:
        raise ConferenceError(f"The {what} is empty.")
    if count > limit:
        raise ConferenceError(f"The {what} has {count} words; the limit is {limit}.")


# Seconding ------------------------------------------------------------------------------------------
def seconder_token(item: Motion | Amendment) -> str:
    kind = "motion" if isinstance(item, Motion) else "amendment"
    return signing.dumps({"k": kind, "i": item.pk, "s": item.seconder_id}, salt=SECONDER_SALT)


def read_seconder_token(token: str) -> Motion | Amendment:
    """The item a seconding link was made for; signing.BadSignature when tampered with or stale."""
    data = signing.loads(token, salt=SECONDER_SALT, max_age=dt.timedelta(days=60))
    if not isinstance(data, dict) or data.get("k") not in ("motion", "amendment"):
        raise signing.BadSignature("Malformed seconding link.")
    model = Motion if data["k"] == "motion" else Amendment
    pk = data.get("i")
    item = model.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if item is None or item.seconder_id != data.get("s"):
        raise signing.BadSignature("This seconding link is no longer valid.")
    return item


def _ask_seconder(item: Motion | Amendment, conference: Conference) -> None:
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse

    if item.seconder is None:
        return
    try:
        path = reverse("conference:second", args=[seconder_token(item)])
    except NoReverseMatch:  # before the pages exist
        path = "/"
    queue_email(
        key=f"conference-{conference.pk}-{type(item).__name__.lower()}-{item.pk}-second-{item.seconder_id}",
        to=item.seconder.user.email,
        template="conference-second",
        context={
            "item": item,
            "kind": "motion" if isinstance(item, Motion) else "amendment",
            "conference": conference,
            "proposer": item.proposer,
            "url": f"{settings.SITE_URL}{path}",
        },
        group=f"conference:{conference.pk}",
    )


# Whether an address is a member's, and whether that member may second, is not the proposer's to
# learn: an address no member has and a member who may not second get this one answer.
SECONDER_NOT_ACCEPTED = (
    "We could not accept this address as a seconder: it must be the address of a member in good "
    "standing who can second this motion."
)


def may_second(member: Member) -> bool:
    """Whether ``member`` may second a motion or an amendment (the form's check; ``_seconder`` again)."""
    return member.status == MemberStatus.MEMBER and member.erased_at is None


def _seconder(proposer_kind: str, proposer: Member | None, seconder: Member | None) -> Member | None:
    if proposer_kind != ProposerKind.MEMBER:
        return None
    if seconder is None:
        raise ConferenceError("A member's motion needs another member to second it.")
    if proposer is not None and seconder.pk == proposer.pk:
        raise ConferenceError("The seconder must be another member, not the proposer.")
    if not may_second(seconder):  # the form has already given its one answer (SECONDER_NOT_ACCEPTED)
        raise ConferenceError("The seconder must be a member.")
    return seconder


@transaction.atomic
def confirm_seconding(*, token: str, actor: User | None = None) -> Motion | Amendment:
    """The seconder confirms from their e-mailed link; confirming twice changes nothing.

    Given an ``actor``, it must be the member named as seconder (None: the system, e.g. the tests)."""
    try:
        item = read_seconder_token(token)
    except signing.BadSignature:
        raise ConferenceError("This seconding link is not valid or has expired.") from None
    model = type(item)
    item = model.objects.select_for_update(of=("self",)).select_related("seconder").get(pk=item.pk)
    if actor is not None and (item.seconder is None or item.seconder.user_id != actor.pk):
        raise ConferenceError("This seconding link is for the member named as seconder.")
    if item.status == ItemStatus.WITHDRAWN:
        raise ConferenceError("The proposer has withdrawn it.")
    if item.seconded_at is None:
        item.seconded_at = timezone.now()
        item.status = ItemStatus.SUBMITTED
        item.save(update_fields=["seconded_at", "status"])
        target = item.conference if isinstance(item, Motion) else item.motion.conference
        log_action(actor=actor, action="conference.seconded", target=target, detail={"item": str(item.pk)})
    return item


# Motions --------------------------------------------------------------------------------------------
@transaction.atomic
def submit_motion(
    *,
    actor: User,
    conference: Conference,
    proposer_kind: str,
    title: str,
    text: str,
    topic: str = "",
    seconder: Member | None = None,
    branch: Branch | None = None,
    branch_meeting_on: dt.date | None = None,
    emergency: bool = False,
    emergency_reason: str = "",
) -> Motion:
    rules = rules_for(conference)
    proposer = _check_proposer(actor, proposer_kind, branch, branch_meeting_on)
    now = timezone.now()
    if now >= rules.motions_deadline and not emergency:
        raise ConferenceError(
            "The deadline for motions has passed; an emergency motion needs the reason "
            "(what has happened since)."
        )
    if emergency and not emergency_reason.strip():
        raise ConferenceError("Say what has happened since the deadline that makes this an emergency.")
    if timezone.localdate(now) > conference.ends_on:
        raise ConferenceError("The conference is over.")
    if not title.strip():
        raise ConferenceError("Give the motion a title.")
    _check_words(text, rules.word_limit, "motion")
    second = _seconder(proposer_kind, proposer, seconder)
    motion = Motion.objects.create(
        conference=conference,
        proposer_kind=proposer_kind,
        proposer=proposer,
        branch=branch if proposer_kind == ProposerKind.BRANCH else None,
        branch_meeting_on=branch_meeting_on if proposer_kind == ProposerKind.BRANCH else None,
        submitted_by=actor,
        seconder=second,
        status=ItemStatus.AWAITING_SECONDER if second else ItemStatus.SUBMITTED,
        title=title.strip()[:200],
        text=text.strip(),
        topic=topic.strip()[:100],
        emergency=emergency,
        emergency_reason=emergency_reason.strip()[:1000] if emergency else "",
    )
    if second is not None:
        motion.seconder = second
        _ask_seconder(motion, conference)
    log_action(
        actor=actor, action="conference.motion_submitted", target=conference, detail={"motion": motion.pk}
    )
    return motion


def _own(actor: User | None, item: Motion | Amendment) -> bool:
    return item.submitted_by_id is not None and item.submitted_by_id == getattr(actor, "pk", None)


def edit_refusal(motion: Motion, rules: BusinessRules) -> str:
    """Why the proposer can no longer edit the motion, or "" while they can (the page asks too)."""
    if timezone.now() >= rules.motions_deadline and not motion.emergency:
        return "The deadline for motions has passed; it can no longer be edited."
    if motion.status == ItemStatus.WITHDRAWN or motion.ruling != Ruling.PENDING:
        return "A withdrawn or ruled motion can no longer be edited."
    return ""


def amend_refusal(motion: Motion, rules: BusinessRules) -> str:
    """Why the motion can no longer be amended, or "" while it can (the page asks too)."""
    if timezone.now() >= rules.amendments_deadline:
        return "The deadline for amendments has passed."
    if motion.ruling in (Ruling.OUT_OF_ORDER, Ruling.COMPOSITED):
        return "That motion was ruled out of order or composited; it cannot be amended."
    if motion.status == ItemStatus.WITHDRAWN:
        return "That motion has been withdrawn."
    return ""


@transaction.atomic
def edit_motion(*, actor: User | None, motion: Motion, title: str, text: str, topic: str = "") -> Motion:
    motion = Motion.objects.select_for_update().select_related("conference").get(pk=motion.pk)
    if not _own(actor, motion):
        raise ConferenceError("Only its proposer edits a motion.")
    rules = rules_for(motion.conference)
    refusal = edit_refusal(motion, rules)
    if refusal:
        raise ConferenceError(refusal)
    _check_words(text, rules.word_limit, "motion")
    motion.title, motion.text, motion.topic = title.strip()[:200], text.strip(), topic.strip()[:100]
    motion.updated_at = timezone.now()
    motion.save(update_fields=["title", "text", "topic", "updated_at"])
    log_action(
        actor=actor, action="conference.motion_edited", target=motion.conference, detail={"motion": motion.pk}
    )
    return motion


@transaction.atomic
def withdraw(*, actor: User | None, item: Motion | Amendment) -> Motion | Amendment:
    """The proposer withdraws a motion or amendment until it has been debated."""
    model = type(item)
    item = model.objects.select_for_update().get(pk=item.pk)
    if not _own(actor, item):
        raise ConferenceError("Only its proposer withdraws it.")
    if item.outcome:
        raise ConferenceError("It has been debated; it can no longer be withdrawn.")
    if item.status != ItemStatus.WITHDRAWN:
        item.status = ItemStatus.WITHDRAWN
        item.withdrawn_at = timezone.now()
        item.save(update_fields=["status", "withdrawn_at"])
        conference = item.conference if isinstance(item, Motion) else item.motion.conference
        log_action(actor=actor, action="conference.withdrawn", target=conference, detail={"item": item.pk})
    return item


# Amendments -----------------------------------------------------------------------------------------
def _count_lines(n: int) -> str:
    return f"{n} line" if n == 1 else f"{n} lines"


def _where(
    kind: str, line_from: int | None, line_to: int | None, target: str, what: str
) -> tuple[int, int | None]:
    """The checked line positions of a positional amendment to ``target`` (the text it amends)."""
    count = len(target.splitlines())
    if line_from is None:
        raise ConferenceError("Say which line it acts on (the numbers are the text's, as shown).")
    if kind == AmendmentKind.INSERT:
        if not 0 <= line_from <= count:
            raise ConferenceError(
                f"The {what} has {_count_lines(count)}: insert after a line from 1 to {count} "
                "(0 puts it at the start)."
            )
        return line_from, None
    last = line_from if line_to is None else line_to
    if last < line_from:
        raise ConferenceError("The last line comes after the first line, not before it.")
    if line_from < 1 or last > count:
        raise ConferenceError(f"The {what} has {_count_lines(count)}: give lines from 1 to {count}.")
    return line_from, last


@transaction.atomic
def submit_amendment(
    *,
    actor: User,
    motion: Motion,
    proposer_kind: str,
    kind: str,
    line_from: int | None = None,
    line_to: int | None = None,
    insert_text: str = "",
    free_text: str = "",
    seconder: Member | None = None,
    branch: Branch | None = None,
    branch_meeting_on: dt.date | None = None,
    parent: Amendment | None = None,
) -> Amendment:
    """An amendment saying where, by the numbered lines of the motion (or of ``parent``'s words)."""
    motion = Motion.objects.select_related("conference").get(pk=motion.pk)
    conference = motion.conference
    rules = rules_for(conference)
    proposer = _check_proposer(actor, proposer_kind, branch, branch_meeting_on)
    refusal = amend_refusal(motion, rules)
    if refusal:
        raise ConferenceError(refusal)
    if parent is not None:
        if not rules.amendments_to_amendments:
            raise ConferenceError("This conference does not take amendments to amendments.")
        if parent.motion_id != motion.pk:
            raise ConferenceError("That amendment is to another motion.")
        if parent.status == ItemStatus.WITHDRAWN or parent.outcome:
            raise ConferenceError("That amendment has been withdrawn or decided.")
        if not parent.words:
            raise ConferenceError("That amendment only deletes lines: it has no words to amend.")
    target, what = (parent.words, "amendment") if parent is not None else (motion.text, "motion")
    if kind in POSITIONAL:
        line_from, line_to = _where(kind, line_from, line_to, target, what)
        if kind == AmendmentKind.DELETE:
            insert_text = ""
        elif not insert_text.strip():
            raise ConferenceError("Give the words to insert (or the replacement for those lines).")
        else:
            _check_words(insert_text, rules.amendment_word_limit, "amendment")
        free_text = ""
    elif kind == AmendmentKind.FREE_TEXT:
        _check_words(free_text, rules.amendment_word_limit, "amendment")
        line_from = line_to = None
        insert_text = ""
    else:
        raise ConferenceError("Choose the kind of amendment: insert, delete or replace lines, or free text.")
    second = _seconder(proposer_kind, proposer, seconder)
    amendment = Amendment.objects.create(
        motion=motion,
        parent=parent,
        kind=kind,
        line_from=line_from,
        line_to=line_to,
        insert_text=insert_text.strip(),
        free_text=free_text.strip(),
        proposer_kind=proposer_kind,
        proposer=proposer,
        branch=branch if proposer_kind == ProposerKind.BRANCH else None,
        branch_meeting_on=branch_meeting_on if proposer_kind == ProposerKind.BRANCH else None,
        submitted_by=actor,
        seconder=second,
        status=ItemStatus.AWAITING_SECONDER if second else ItemStatus.SUBMITTED,
    )
    if second is not None:
        _ask_seconder(amendment, conference)
    log_action(
        actor=actor,
        action="conference.amendment_submitted",
        target=conference,
        detail={"amendment": amendment.pk},
    )
    return amendment


def label(amendment: Amendment) -> str:
    """How the outcomes page and the refusals name it: "1.2" (motion 1's amendment 2) once ordered."""
    if amendment.motion.position and amendment.position:
        return f"{amendment.motion.position}.{amendment.position}"
    return f"#{amendment.pk}"


def _adopted(amendment: Amendment) -> bool:
    """Part of the text it amends: accepted by the mover, or carried (never if withdrawn or out of order)."""
    if amendment.status == ItemStatus.WITHDRAWN or amendment.ruling == Ruling.OUT_OF_ORDER:
        return False
    return bool(amendment.accepted) or amendment.outcome == Outcome.CARRIED


def _span(amendment: Amendment) -> str:
    if amendment.kind == AmendmentKind.INSERT:
        return f"the place after line {amendment.line_from}"
    if amendment.line_to == amendment.line_from:
        return f"line {amendment.line_from}"
    return f"lines {amendment.line_from}{DASH}{amendment.line_to}"


def overlaps(one: Amendment, other: Amendment) -> bool:
    """Whether two positional amendments to the same text touch the same lines.

    Ranges overlap when they share a line; an insert clashes with a range only when it falls between
    two of the range's lines (just before or just after the range is a different place); two inserts
    after the same line do not clash (they go in debating order)."""
    if one.kind not in POSITIONAL or other.kind not in POSITIONAL:
        return False
    a, b = one.line_from or 0, one.line_to or 0
    c, d = other.line_from or 0, other.line_to or 0
    if one.kind == AmendmentKind.INSERT and other.kind == AmendmentKind.INSERT:
        return False
    if one.kind == AmendmentKind.INSERT:
        return c <= a < d
    if other.kind == AmendmentKind.INSERT:
        return a <= c < b
    return a <= d and c <= b


def _refuse_clash(amendment: Amendment) -> None:
    """Standing orders' rule for carried amendments: each refers to the lines as printed, and once one has
    changed some lines, another amendment to those lines falls. Refused here with what to do instead."""
    siblings = Amendment.objects.filter(motion_id=amendment.motion_id, parent_id=amendment.parent_id).exclude(
        pk=amendment.pk
    )
    for other in siblings.select_related("motion").order_by("position", "pk"):
        if _adopted(other) and overlaps(amendment, other):
            state = "accepted by the mover" if other.accepted else "carried"
            raise ConferenceError(
                f"Amendment {label(amendment)} would change {_span(amendment)}, but amendment "
                f"{label(other)}, {state}, has already changed {_span(other)}: under standing orders it "
                "falls. Record it as fell."
            )


@transaction.atomic
def answer_amendment(*, actor: User | None, amendment: Amendment, accept: bool) -> Amendment:
    """The motion's proposer accepts an amendment (it becomes part of the motion) or not (voted on)."""
    amendment = (
        Amendment.objects.select_for_update(of=("self",))
        .select_related("motion__conference")
        .get(pk=amendment.pk)
    )
    if not _own(actor, amendment.motion):
        raise ConferenceError("Only the motion's proposer accepts or declines an amendment.")
    if amendment.outcome:
        raise ConferenceError("The amendment has been debated.")
    if accept:
        _refuse_clash(amendment)
    amendment.accepted = accept
    amendment.save(update_fields=["accepted"])
    log_action(
        actor=actor,
        action="conference.amendment_answered",
        target=amendment.motion.conference,
        detail={"amendment": amendment.pk, "accepted": accept},
    )
    return amendment


def apply_amendment(text: str, amendment: Amendment, words: str | None = None) -> str:
    """``text`` with one amendment made at its lines (``words``: its words as amended, if they were).

    A free-text amendment is added at the end, for the CAC to merge when it checks the text as carried."""
    new = (amendment.words if words is None else words).strip()
    if amendment.kind not in POSITIONAL:
        return f"{text.rstrip()}\n\n{new}"
    lines = text.splitlines()
    first, last = amendment.line_from or 0, amendment.line_to or amendment.line_from or 0
    if amendment.kind == AmendmentKind.INSERT:
        if first > len(lines):
            raise ConferenceError(
                f"Amendment {amendment.pk} no longer fits the text: it has {_count_lines(len(lines))}."
            )
        return "\n".join([*lines[:first], *new.splitlines(), *lines[first:]])
    if first < 1 or last > len(lines):
        raise ConferenceError(
            f"Amendment {amendment.pk} no longer fits the text: it has {_count_lines(len(lines))}."
        )
    replacement = new.splitlines() if amendment.kind == AmendmentKind.REPLACE else []
    return "\n".join([*lines[: first - 1], *replacement, *lines[last:]])


def _bottom_up(item: tuple[int, Amendment]) -> tuple[int, int, int]:
    """Sort key, largest first: where it starts (an insert after line N starts at N, a range N-M at
    N-1), a range before an insert at the same place, and a later-debated insert before an earlier one
    (so that, both made at the same place, the earlier-debated reads first)."""
    order, amendment = item
    if amendment.kind == AmendmentKind.INSERT:
        return (amendment.line_from or 0, 0, order)
    return ((amendment.line_from or 1) - 1, 1, order)


def amended(text: str, amendments: list[Amendment], every: list[Amendment]) -> str:
    """``text`` with the adopted ones of ``amendments`` (all to it, in debating order) made.

    Each amendment's own words are first amended by its adopted amendments (from ``every``). All refer to
    the lines as printed, so they are made from the bottom of the text up: none moves the lines another
    refers to. Two adopted amendments to the same lines are refused (standing orders: the second falls).
    Free-text amendments are added at the end, in debating order."""
    adopted = [a for a in amendments if _adopted(a)]
    for n, one in enumerate(adopted):
        for other in adopted[n + 1 :]:
            if overlaps(one, other):
                raise ConferenceError(
                    f"Amendments {label(one)} and {label(other)} both change {_span(other)}: "
                    "only one of them can stand. Record the second as fell."
                )

    def words(amendment: Amendment) -> str:
        subs = [a for a in every if a.parent_id == amendment.pk]
        return amended(amendment.words, subs, every) if subs else amendment.words

    positional = [(n, a) for n, a in enumerate(adopted) if a.kind in POSITIONAL]
    for _, amendment in sorted(positional, key=_bottom_up, reverse=True):
        text = apply_amendment(text, amendment, words(amendment))
    for amendment in adopted:
        if amendment.kind not in POSITIONAL:
            text = apply_amendment(text, amendment, words(amendment))
    return text


def as_carried(motion: Motion) -> str:
    """The motion with its accepted and carried amendments merged (amendments to them first)."""
    every = list(motion.amendments.select_related("motion").order_by("position", "pk"))
    return amended(motion.text, [a for a in every if a.parent_id is None], every)


# Rulings, composites, order -------------------------------------------------------------------------
@transaction.atomic
def rule(
    *, actor: User | None, item: Motion | Amendment, ruling: str, reason: str = ""
) -> Motion | Amendment:
    model = type(item)
    item = model.objects.select_for_update().get(pk=item.pk)
    conference = item.conference if isinstance(item, Motion) else item.motion.conference
    _require_cac(actor, conference, "Only the conference arrangements committee rules on business.")
    if ruling not in (Ruling.IN_ORDER, Ruling.OUT_OF_ORDER):
        raise ConferenceError("Rule it in order or out of order (composites are made from the motions).")
    if ruling == Ruling.OUT_OF_ORDER and not reason.strip():
        raise ConferenceError("Give the reason it is out of order; it is sent to the proposer.")
    if item.outcome:
        raise ConferenceError("It has been debated.")
    if item.status == ItemStatus.AWAITING_SECONDER:
        raise ConferenceError("Its seconder has not confirmed yet.")
    item.ruling = ruling
    item.ruling_reason = reason.strip()[:1000]
    item.ruled_at = timezone.now()
    item.save(update_fields=["ruling", "ruling_reason", "ruled_at"])
    log_action(
        actor=actor, action="conference.ruled", target=conference, detail={"item": item.pk, "ruling": ruling}
    )
    _tell_proposer(item, conference)
    return item


def _tell_proposer(item: Motion | Amendment, conference: Conference) -> None:
    submitter = item.submitted_by
    if submitter is None or not submitter.email:
        return
    queue_email(
        key=(
            f"conference-{conference.pk}-{type(item).__name__.lower()}-{item.pk}-ruling-{item.ruling}"
            f"-{int((item.ruled_at or timezone.now()).timestamp())}"
        ),
        to=submitter.email,
        template="conference-ruling",
        context={"item": item, "conference": conference, "is_motion": isinstance(item, Motion)},
        group=f"conference:{conference.pk}",
    )


@transaction.atomic
def composite(
    *,
    actor: User | None,
    conference: Conference,
    motions: Iterable[Motion],
    title: str,
    text: str,
    movers_agreed: bool,
    topic: str = "",
) -> Motion:
    """A composite motion replacing several, with their movers' agreement recorded."""
    _require_cac(actor, conference, "Only the conference arrangements committee composites motions.")
    replaced = list(
        Motion.objects.select_for_update().filter(pk__in=[m.pk for m in motions], conference=conference)
    )
    if len(replaced) < 2:
        raise ConferenceError("A composite replaces at least two motions of this conference.")
    if not movers_agreed:
        raise ConferenceError("A composite needs the agreement of the movers of the motions it replaces.")
    if any(m.outcome or m.status == ItemStatus.WITHDRAWN or m.ruling == Ruling.COMPOSITED for m in replaced):
        raise ConferenceError("Only motions still standing can be composited.")
    if not title.strip():
        raise ConferenceError("Give the composite a title.")
    _check_words(text, rules_for(conference).word_limit * len(replaced), "composite")
    made = Motion.objects.create(
        conference=conference,
        proposer_kind=replaced[0].proposer_kind,
        proposer=replaced[0].proposer,
        branch=replaced[0].branch,
        submitted_by=actor,
        status=ItemStatus.SUBMITTED,
        title=title.strip()[:200],
        text=text.strip(),
        topic=topic.strip()[:100] or replaced[0].topic,
        movers_agreed=True,
        ruling=Ruling.IN_ORDER,
        ruled_at=timezone.now(),
    )
    made.composite_of.set(replaced)
    now = timezone.now()
    for motion in replaced:
        motion.ruling, motion.ruling_reason, motion.ruled_at = (
            Ruling.COMPOSITED,
            f"Composited into “{made.title}”.",
            now,
        )
        motion.save(update_fields=["ruling", "ruling_reason", "ruled_at"])
        _tell_proposer(motion, conference)
    log_action(
        actor=actor,
        action="conference.composited",
        target=conference,
        detail={"composite": made.pk, "replaces": [m.pk for m in replaced]},
    )
    return made


@transaction.atomic
def order_business(*, actor: User | None, conference: Conference, motions: list[Motion]) -> list[Motion]:
    """Set the debating order of the motions in order; their amendments follow their own order."""
    _require_cac(actor, conference, "Only the conference arrangements committee orders the business.")
    chosen = {m.pk for m in motions}
    if len(chosen) != len(motions):
        raise ConferenceError("Each motion appears once in the order.")
    standing = Motion.objects.select_for_update().filter(conference=conference)
    known = set(standing.filter(pk__in=chosen, ruling=Ruling.IN_ORDER).values_list("pk", flat=True))
    if known != chosen:
        raise ConferenceError(
            "Only motions of this conference ruled in order are put in the order of debate."
        )
    standing.update(position=None)
    ordered = []
    for position, motion in enumerate(motions, start=1):
        Motion.objects.filter(pk=motion.pk).update(position=position)
        amendments = Amendment.objects.filter(motion=motion).order_by("submitted_at", "pk")
        for number, amendment in enumerate(amendments, start=1):
            Amendment.objects.filter(pk=amendment.pk).update(position=number)
        ordered.append(Motion.objects.get(pk=motion.pk))
    log_action(
        actor=actor,
        action="conference.business_ordered",
        target=conference,
        detail={"order": [m.pk for m in motions]},
    )
    return ordered


# Outcomes -------------------------------------------------------------------------------------------
def majority_met(majority: str, votes_for: int, votes_against: int) -> bool:
    """Simple: more for than against. Two-thirds: at least two thirds of those voting for or against."""
    if majority == Majority.TWO_THIRDS:
        return 3 * votes_for >= 2 * (votes_for + votes_against) and votes_for > 0
    return votes_for > votes_against


@transaction.atomic
def record_outcome(
    *,
    actor: User | None,
    item: Motion | Amendment,
    outcome: str,
    method: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    majority: str | None = None,
) -> Motion | Amendment:
    model = type(item)
    item = model.objects.select_for_update().get(pk=item.pk)
    motion = item if isinstance(item, Motion) else item.motion
    conference = motion.conference
    _require_cac(actor, conference, "Only the conference arrangements committee records outcomes.")
    if outcome not in Outcome.values:
        raise ConferenceError("Choose the outcome.")
    if timezone.localdate() < conference.starts_on:
        raise ConferenceError("Nothing has been debated yet: the conference has not begun.")
    if item.ruling != Ruling.IN_ORDER or item.status != ItemStatus.SUBMITTED:
        raise ConferenceError("Only business ruled in order, and not withdrawn, is debated.")
    if item.outcome:
        raise ConferenceError("Its outcome has been recorded already.")
    if isinstance(item, Motion):
        if item.position is None:
            raise ConferenceError("The motion is not on the order paper.")
        waiting = item.amendments.filter(
            ruling=Ruling.IN_ORDER, status=ItemStatus.SUBMITTED, outcome="", parent__isnull=True
        ).exclude(accepted=True)
        if waiting.exists():
            raise ConferenceError("Its amendments are decided first.")
    else:
        if item.accepted:
            raise ConferenceError(
                "The proposer accepted this amendment: it is part of the motion, not voted on."
            )
        waiting_subs = item.sub_amendments.filter(
            ruling=Ruling.IN_ORDER, status=ItemStatus.SUBMITTED, outcome=""
        ).exclude(accepted=True)
        if waiting_subs.exists():
            raise ConferenceError("Its amendments are decided first.")
        if outcome == Outcome.CARRIED:
            _refuse_clash(item)
    chosen = majority or item.majority
    if outcome in COUNTED:
        if method not in VoteMethod.values or votes_for is None or votes_against is None:
            raise ConferenceError("A carried or lost vote needs its method and the votes for and against.")
        abstain = votes_abstain or 0
        if min(votes_for, votes_against, abstain) < 0:
            raise ConferenceError("Votes cannot be negative.")
        if method == VoteMethod.HANDS:
            present = counts(conference)["entitled_present"]
            if votes_for + votes_against + abstain > present:
                raise ConferenceError(
                    f"{votes_for + votes_against + abstain} votes, but only {present} entitled members "
                    "are present."
                )
        met = majority_met(chosen, votes_for, votes_against)
        if met != (outcome == Outcome.CARRIED):
            needed = "two thirds of" if chosen == Majority.TWO_THIRDS else "more than half of"
            raise ConferenceError(
                f"The counts say it was {'carried' if met else 'lost'}: {needed} those voting "
                "for or against is needed."
            )
        item.vote_method, item.votes_for, item.votes_against, item.votes_abstain = (
            method,
            votes_for,
            votes_against,
            abstain,
        )
        item.majority_met = met
    item.outcome = outcome
    item.majority = chosen
    item.outcome_recorded_at = timezone.now()
    item.save()
    if isinstance(item, Motion) and outcome == Outcome.CARRIED:
        item.carried_text = as_carried(item)
        item.save(update_fields=["carried_text"])
    if isinstance(item, Motion) and outcome == Outcome.REFERRED:
        _refer_to_nc(item)
    log_action(
        actor=actor,
        action="conference.outcome_recorded",
        target=conference,
        detail={"item": item.pk, "kind": model.__name__, "outcome": outcome},
    )
    return item


def _refer_to_nc(motion: Motion) -> None:
    """A motion referred to the national committee is queued for the agenda of its next meeting."""
    from conference.business.services import referrals

    referrals.queue_referral(actor=None, motion=motion)


@transaction.atomic
def publish_as_carried(*, actor: User | None, motion: Motion, text: str) -> Motion:
    """The CAC checks (and may edit) the text as carried, then publishes it to the policy record."""
    motion = Motion.objects.select_for_update().select_related("conference").get(pk=motion.pk)
    _require_cac(
        actor, motion.conference, "Only the conference arrangements committee publishes the policy record."
    )
    if motion.outcome != Outcome.CARRIED:
        raise ConferenceError("Only carried motions go in the policy record.")
    if not text.strip():
        raise ConferenceError("The text as carried is empty.")
    motion.carried_text = text.strip()
    motion.carried_published_at = motion.carried_published_at or timezone.now()
    motion.save(update_fields=["carried_text", "carried_published_at"])
    log_action(
        actor=actor,
        action="conference.policy_published",
        target=motion.conference,
        detail={"motion": motion.pk},
    )
    return motion


def next_position(conference: Conference) -> int:
    return (Motion.objects.filter(conference=conference).aggregate(last=Max("position"))["last"] or 0) + 1
