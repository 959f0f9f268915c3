"""Setting elections up, and nominations: the services, then the reads the pages share.

The national office or the CAC (``conference.set_up_election``) sets an
election up: the committee whose seats it fills, held at a conference or by
a committee (as the committee's ``elected_by`` says: the NC at conference,
the EC by the NC), the seats, the four windows, the statement word limit,
self-nomination, the returning officer and the elected members' terms.
Until nominations open, they may change any of it; once nominations are
open, only the returning officer or the national office may change anything,
and then only extend a closing time (nominations while they are still open,
voting until it closes), never bring one forward, so nobody who relied on a
deadline is caught out by it.

Nominations, during the nominations window:

* a member of the electorate nominates a member who may stand
  (``elections.standing_refusal``), naming a seconder: another member of
  the electorate, neither the proposer nor the nominee; or, where the
  election allows it, nominates themself, with no seconder;
* one live (pending or accepted) nomination per nominee: the unique
  constraint ``nomination_once_live`` holds the line under parallel
  submits, and the loser is told, nothing written;
* the nominee is e-mailed a link carrying the nomination's token (128
  random bits, stored on the nomination: it is the key, no login needed, as
  with a committee's apology link); from it they accept, giving the
  candidate statement (within the word limit) and the name for the ballot
  paper, or decline; the proposer is told either way. Accepting after
  nominations close is refused;
* signed in, a nominee edits their statement and may withdraw until voting
  opens; after that, withdrawal is refused (the ballot papers are out).

**The seconder.** The proposer names the seconder, who must be in the
electorate; the seconder is e-mailed to say so, with the proposer's name
and a way to object (reply to the returning officer), but there is no
confirmation round trip: a nomination is valid when made. Nominations are
made by members of a known electorate (conference delegates, or the NC),
every nomination and its proposer and seconder are on the election page
for the returning officer, and the nominee still has to accept: a
confirmation step would add a way for a nomination to lapse at the last
minute without adding a check the returning officer does not already have.
If the organisation later wants the seconder to confirm, the motions'
seconding link (``conference.motions.confirm_seconding``) is the pattern.

**Ballot names.** A candidate's ballot name is their own name as a member.
Another name (a middle name, the name they are known by, a branch to tell
namesakes apart) is a request: it is recorded on the nomination and the
returning officer approves or refuses it (``decide_ballot_name``); until
then the ballot shows the member's own name. No ballot name may be another
candidate's, and no variant a near copy of another candidate's ballot name
or member name. Names are compared folded (``fold_name``: accents, case,
punctuation and spacing ignored) and a variant is refused when, folded,
it is equal to the other, has the same words in another order ("Able,
Ann"), or is within ``NEAR_EDITS`` letter edits of it ("Anne Able", "Ann
Abel"; one edit for names of under six letters, none under three). A
member's own name is refused only when it is, folded, another candidate's
ballot name (namesakes): then they ask for a variant that tells them
apart. Name claims lock the election row, so two candidates cannot
take the same name at once.

**Ballot order** is the election's (``Election.ballot_order``, chosen when it
is set up and published on its page and the ballot): by surname (the
member's name, surname first, recorded on the nomination as ``sort_name``)
or random, by the seed the system draws and records when the election is
set up (see ``elections.candidates``).

Every write is one transaction with an ``actor``, an audit entry and mail
through the outbox; a refusal is an ``ElectionError`` with a message fit to
show, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from awl.audit import log_action
from awl.errors import require
from awl.outbox import queue_email
from awl.permissions import has_rule
from committees.models import Committee
from conference.business.services.motions import words
from conference.elections.models import (
    LIVE_NOMINATION,
    BallotOrder,
    Election,
    Nomination,
    NominationStatus,
)
from conference.elections.services.elections import (
    ElectionError,
    Phase,
    appointer_refusal,
    get_election_for_user,
    in_electorate,
    nominee_refusal,
    phase,
    standing_refusal,
    visible_elections,
)
from conference.models import Conference
from conference.rules import RETURN_ELECTION, SET_UP_ELECTION
from members import selectors as member_selectors
from members.models import Member, MemberStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

MAX_SEATS = 200
WORD_LIMIT_RANGE = (10, 2000)
STATEMENT_MAX_CHARS = 20_000
BALLOT_NAME_MAX = 200
# A variant within this many letter edits of another candidate's name is a near copy of it.
NEAR_EDITS = 2
# A random ballot order's seed is drawn below this bound (it fits a signed 64-bit column).
SEED_BOUND = 10**12
# What an election is, as the set-up form and the services pass it.
DETAILS = (
    "title",
    "committee",
    "conference",
    "electing_committee",
    "present_only",
    "seats",
    "nominations_open_at",
    "nominations_close_at",
    "voting_opens_at",
    "voting_closes_at",
    "statement_word_limit",
    "self_nomination",
    "ballot_order",
    "returning_officer",
    "term_starts_on",
    "term_ends_on",
    "counted_off_system",
)
# What may still change once nominations are open: the closing times, later only.
EXTENDABLE = ("nominations_close_at", "voting_closes_at")


def when(moment: dt.datetime) -> str:
    """A moment as London reads it, for messages: '3 May 2027, 17:00'."""
    return f"{timezone.localtime(moment):%-d %B %Y, %H:%M}"


# Setting up ------------------------------------------------------------------------------------------
def _check_details(details: Mapping[str, Any]) -> None:
    """The rules an election's details must meet, whether new or changed."""
    if not str(details.get("title") or "").strip():
        raise ElectionError("Give the election a title.")
    committee: Committee | None = details.get("committee")
    conference: Conference | None = details.get("conference")
    electing: Committee | None = details.get("electing_committee")
    if committee is None:
        raise ElectionError("Choose the committee whose seats are filled.")
    if (conference is None) == (electing is None):
        raise ElectionError("Choose where the election is held: at one conference, or by one committee.")
    if committee.elected_by_id is not None:
        if electing is None or electing.pk != committee.elected_by_id:
            raise ElectionError(
                f"The {committee} is elected by the {committee.elected_by}: "
                "hold the election by that committee."
            )
    elif conference is None:
        raise ElectionError(f"The {committee} is elected at conference: choose the conference.")
    if details.get("present_only") and conference is None:
        raise ElectionError("Only an election at a conference can be limited to those present.")
    seats = details.get("seats")
    if not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        raise ElectionError(f"An election fills between 1 and {MAX_SEATS} seats.")
    windows = ("nominations_open_at", "nominations_close_at", "voting_opens_at", "voting_closes_at")
    if not all(isinstance(details.get(name), dt.datetime) for name in windows):
        raise ElectionError("Give when nominations open and close, and when voting opens and closes.")
    opens, closes, voting_opens, voting_closes = (details[name] for name in windows)
    if closes <= opens:
        raise ElectionError("Nominations must close after they open.")
    if voting_opens < closes:
        raise ElectionError("Voting cannot open before nominations close.")
    if voting_closes <= voting_opens:
        raise ElectionError("Voting must close after it opens.")
    limit = details.get("statement_word_limit")
    low, high = WORD_LIMIT_RANGE
    if not isinstance(limit, int) or not low <= limit <= high:
        raise ElectionError(f"The statement word limit must be between {low} and {high} words.")
    if details.get("ballot_order") not in BallotOrder.values:
        raise ElectionError("Choose the order of the ballot paper: by surname, or random.")
    officer = details.get("returning_officer")  # may wait: appointed later by whoever appoints it
    if officer is not None and not officer.is_active:
        raise ElectionError("Choose a returning officer with an active account on this site.")
    starts, ends = details.get("term_starts_on"), details.get("term_ends_on")
    if starts is None:
        raise ElectionError("Give the day the elected members' terms of office start.")
    if starts < timezone.localdate(voting_closes):
        raise ElectionError("The elected members' terms cannot start before voting closes.")
    if ends is not None and ends <= starts:
        raise ElectionError("The terms must end after they start.")


def _detail(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The audit entry's record of the details (objects by key, moments as text)."""
    shown: dict[str, Any] = {}
    for name, value in fields.items():
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, dt.date):
            value = value.isoformat()
        shown[name] = value
    return shown


@transaction.atomic
def create_election(*, actor: User | None, fields: Mapping[str, Any]) -> Election:
    """Set up an election (``fields``: every name in ``DETAILS``)."""
    require(  # actor None is the system (the demo, a command)
        actor,
        SET_UP_ELECTION,
        None,
        "Only the national office or the conference arrangements committee sets up an election.",
        error=ElectionError,
    )
    details: dict[str, Any] = {name: fields.get(name) for name in DETAILS}
    details["title"] = str(details["title"] or "").strip()
    details["present_only"] = bool(details["present_only"])
    details["self_nomination"] = bool(fields.get("self_nomination", True))
    details["ballot_order"] = details["ballot_order"] or BallotOrder.SURNAME
    details["counted_off_system"] = bool(details["counted_off_system"])
    _check_details(details)
    if details["voting_closes_at"] <= timezone.now():
        raise ElectionError("Voting would already have closed: choose windows still to come.")
    # Naming the returning officer at set-up is an appointment: only whoever appoints may make it.
    officer = details["returning_officer"]
    refusal = appointer_refusal(actor, Election(**details)) if officer is not None else ""
    if refusal:
        raise ElectionError(f"{refusal} Leave the returning officer empty for them to appoint.")
    by = actor if getattr(actor, "is_authenticated", False) else None
    election = Election.objects.create(
        **details,
        ballot_seed=_draw_seed(details["ballot_order"]),
        created_by=by,
        returning_officer_appointed_at=timezone.now() if officer is not None else None,
        returning_officer_appointed_by=by if officer is not None else None,
    )
    # The entry names the returning officer among the details: their appointment, by the actor.
    log_action(actor=actor, action="election.created", target=election, detail=_detail(details))
    return election


def _draw_seed(order: str) -> int | None:
    """The seed of a random ballot order, drawn by the system (nobody chooses it); None by surname."""
    return secrets.randbelow(SEED_BOUND) if order == BallotOrder.RANDOM else None


def ballot_order_text(election: Election) -> str:
    """The ballot order as the election's page and the ballot publish it."""
    if election.ballot_order == BallotOrder.RANDOM and election.ballot_seed is not None:
        return f"Candidates are listed in random order, drawn with seed {election.ballot_seed}."
    return "Candidates are listed by surname."


def editor_refusal(user: User | None, election: Election, now: dt.datetime | None = None) -> str:
    """Why ``user`` is not the one to change the election, or "" if they are.

    Before nominations open: whoever sets elections up (national office, the CAC). From then on: the
    returning officer alone (no office or account holds a power inside a running election). ``user``
    None is the system.
    """
    if user is None:
        return ""
    if phase(election, now) == Phase.BEFORE:
        if has_rule(user, SET_UP_ELECTION, None):
            return ""
        return "Only the national office or the conference arrangements committee changes an election."
    if has_rule(user, RETURN_ELECTION, election):
        return ""
    return "Nominations have opened: only the returning officer can change it now."


def edit_window_refusal(election: Election, now: dt.datetime | None = None) -> str:
    """Why the election can no longer change at all, or "" while it can."""
    if phase(election, now) in (Phase.CLOSED, Phase.CONFIRMED):
        return "Voting has closed; the election can no longer be changed."
    return ""


def only_extending(election: Election, now: dt.datetime | None = None) -> bool:
    """Whether only the closing times may change (nominations have opened)."""
    return phase(election, now) != Phase.BEFORE


@transaction.atomic
def update_election(*, actor: User | None, election: Election, fields: Mapping[str, Any]) -> Election:
    """Change the election: anything before nominations open, after that only extend a closing time."""
    election = (
        Election.objects.select_for_update(of=("self",))
        .select_related("committee", "conference", "electing_committee", "returning_officer")
        .get(pk=election.pk)
    )
    now = timezone.now()
    refusal = editor_refusal(actor, election, now) or edit_window_refusal(election, now)
    if refusal:
        raise ElectionError(refusal)
    changed = {
        name: value for name, value in fields.items() if name in DETAILS and getattr(election, name) != value
    }
    if "title" in changed:
        changed["title"] = str(changed["title"] or "").strip()
    if "returning_officer" in changed:  # an appointment, audited by its own service
        raise ElectionError("Change the returning officer with “Change the returning officer”.")
    if only_extending(election, now):
        if set(changed) - set(EXTENDABLE):
            raise ElectionError("Nominations have opened: only the closing times can be extended now.")
        for name, value in changed.items():
            if not isinstance(value, dt.datetime) or value < getattr(election, name):
                raise ElectionError("A closing time can be extended, not brought forward.")
        if "nominations_close_at" in changed and election.nominations_close_at <= now:
            raise ElectionError("Nominations have closed; their closing time can no longer change.")
    details = {name: getattr(election, name) for name in DETAILS} | changed
    _check_details(details)
    if not changed:
        return election
    for name, value in changed.items():
        setattr(election, name, value)
    if "ballot_order" in changed:  # a new draw for a random order; none by surname
        election.ballot_seed = _draw_seed(election.ballot_order)
        changed["ballot_seed"] = election.ballot_seed
    election.save(update_fields=list(changed))
    log_action(actor=actor, action="election.updated", target=election, detail=_detail(changed))
    return election


# Nominations -------------------------------------------------------------------------------------
def nominations_refusal(election: Election, now: dt.datetime | None = None) -> str:
    """Why nominations are not being taken now, or "" while they are."""
    now = now or timezone.now()
    if election.confirmed_at is not None or now >= election.nominations_close_at:
        return f"Nominations closed on {when(election.nominations_close_at)}."
    if now < election.nominations_open_at:
        return f"Nominations open on {when(election.nominations_open_at)}."
    return ""


def electorate_refusal(election: Election) -> str:
    """What to tell a member who is not in the electorate."""
    if election.electing_committee is not None:
        return f"Only members of the {election.electing_committee} take part in this election."
    return (
        f"Only members registered for {election.conference} and entitled to vote there take part "
        "in this election."
    )


def _respond_url(nomination: Nomination) -> str:
    return f"{settings.SITE_URL}{reverse('conference:nomination_respond', args=[nomination.token])}"


def _election_url(election: Election) -> str:
    return f"{settings.SITE_URL}{reverse('conference:election_detail', args=[election.pk])}"


def _mail_group(election: Election) -> str:
    return f"election:{election.pk}"


def _mail(nomination: Nomination, kind: str, to: Member, **context: Any) -> None:
    election = nomination.election
    queue_email(
        key=f"election-{election.pk}-nomination-{nomination.pk}-{kind}",
        to=to.user.email,
        template=f"election-{kind}",
        context={
            "election": election,
            "nomination": nomination,
            "election_url": _election_url(election),
            "returning_officer": election.returning_officer,
            **context,
        },
        group=_mail_group(election),
    )


# Whom an address names, and why they may not be nominated or second, is not the proposer's to learn:
# a non-member's address and an ineligible member's get the same answer (no membership oracle).
NOMINEE_NOT_ACCEPTED = (
    "We could not accept this address for the nominee: it must be the address of a member who may "
    "stand in this election and is not already nominated."
)
SECONDER_NOT_ACCEPTED = (
    "We could not accept this address as a seconder: it must be the address of a member of this "
    "election's electorate who can second this nomination."
)


def may_be_nominated(election: Election, member: Member) -> bool:
    """Whether another member may nominate ``member`` now (the form's check; ``nominate`` checks again)."""
    return (
        not standing_refusal(election, member)
        and not nominee_refusal(election, member)
        and not already_nominated(election, member)
    )


def may_second(election: Election, member: Member) -> bool:
    """Whether ``member`` may second a nomination in this election."""
    return (
        member.status == MemberStatus.MEMBER and member.erased_at is None and in_electorate(election, member)
    )


def already_nominated(election: Election, nominee: Member) -> bool:
    """A live (pending or accepted) nomination of ``nominee``: the friendly check before the constraint."""
    return Nomination.objects.filter(LIVE_NOMINATION, election=election, nominee=nominee).exists()


@transaction.atomic
def nominate(
    *, actor: User | None, election: Election, nominee: Member, seconder: Member | None = None
) -> Nomination:
    """``actor``'s member record proposes ``nominee`` (themself, where allowed: then no seconder)."""
    election = Election.objects.select_related(
        "committee", "conference", "electing_committee", "returning_officer"
    ).get(pk=election.pk)
    proposer = member_selectors.own_member(actor)
    if proposer is None or proposer.status != MemberStatus.MEMBER:
        raise ElectionError("Only members nominate.")
    refusal = nominations_refusal(election)
    if refusal:
        raise ElectionError(refusal)
    if not in_electorate(election, proposer):
        raise ElectionError(electorate_refusal(election))
    if nominee.pk == proposer.pk:
        if not election.self_nomination:
            raise ElectionError("This election takes no self-nominations: ask another member to propose you.")
        if seconder is not None:
            raise ElectionError("A self-nomination has no seconder: leave the seconder out.")
    else:
        if seconder is None:
            raise ElectionError("Name a seconder: another member of the electorate.")
        if seconder.pk == proposer.pk:
            raise ElectionError("The seconder must be another member, not the proposer.")
        if seconder.pk == nominee.pk:
            raise ElectionError("The nominee cannot second their own nomination.")
        if not may_second(election, seconder):  # the page's form has given its one answer already
            raise ElectionError(f"{seconder} is not in this election's electorate, so cannot second.")
    refusal = standing_refusal(election, nominee)
    if refusal:
        raise ElectionError(refusal)
    refusal = nominee_refusal(election, nominee)  # the returning officer and tellers do not stand
    if refusal:
        raise ElectionError(refusal)
    already = f"{nominee} is already nominated in this election."
    if already_nominated(election, nominee):
        raise ElectionError(already)
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                election=election,
                nominee=nominee,
                proposer=proposer,
                seconder=None if nominee.pk == proposer.pk else seconder,
                ballot_name=nominee.full_name[:BALLOT_NAME_MAX],
                sort_name=sort_name_for(nominee.full_name),
            )
    except IntegrityError:  # nomination_once_live: a parallel submit got there first
        raise ElectionError(already) from None
    _mail(nomination, "nominated", nominee, proposer=proposer, url=_respond_url(nomination))
    if nomination.seconder is not None:
        _mail(nomination, "seconder", nomination.seconder, proposer=proposer, nominee=nominee)
    log_action(
        actor=actor,
        action="election.nominated",
        target=election,
        detail={"nomination": nomination.pk, "self": nomination.self_nominated},
    )
    return nomination


def _locked_by_token(token: str) -> Nomination:
    found = nomination_by_token(token)
    if found is None:
        raise ElectionError("This nomination link is not valid.")
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("election", "election__returning_officer", "nominee__user", "proposer__user")
        .get(pk=found.pk)
    )


def _check_statement(election: Election, statement: str) -> str:
    statement = statement.strip()
    count = words(statement)
    if count > election.statement_word_limit:
        raise ElectionError(f"The statement has {count} words; the limit is {election.statement_word_limit}.")
    if len(statement) > STATEMENT_MAX_CHARS:
        raise ElectionError(f"The statement is too long: at most {STATEMENT_MAX_CHARS} characters.")
    return statement


# Ballot names ------------------------------------------------------------------------------------
def fold_name(name: str) -> str:
    """A name as the near-copy rule compares it: no accents, case, punctuation or extra spaces.

    A comma separates words ("Able, Ann"); other punctuation is dropped ("A-nn" is "ann").
    """
    text = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    text = "".join(c if c.isalnum() or c.isspace() else " " if c == "," else "" for c in text.casefold())
    return " ".join(text.split())


def sort_name_for(full_name: str) -> str:
    """A member's name for the surname order: the last word first, then the others, folded."""
    words = fold_name(full_name).split()
    return " ".join(words[-1:] + words[:-1])[:BALLOT_NAME_MAX]


def _edits(a: str, b: str) -> int:
    """The Levenshtein distance between two short strings."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def near_copy(name: str, other: str) -> bool:
    """Whether ``name`` equals or nearly copies ``other`` (see the module docstring)."""
    a, b = fold_name(name), fold_name(other)
    if not a or not b:
        return False
    if a == b or sorted(a.split()) == sorted(b.split()):
        return True
    x, y = a.replace(" ", ""), b.replace(" ", "")
    # Short names allow fewer edits: "C0" and "C1" are two names, "Ann Able" and "Ann Abel" one.
    return _edits(x, y) <= min(NEAR_EDITS, min(len(x), len(y)) // 3)


def _others(nomination: Nomination) -> Iterable[tuple[str, str]]:
    """Every other candidate's (ballot name, member name), and any variant they are waiting for."""
    rows = (
        Nomination.objects.filter(election_id=nomination.election_id, status=NominationStatus.ACCEPTED)
        .exclude(pk=nomination.pk)
        .values_list("ballot_name", "nominee__full_name", "requested_ballot_name")
    )
    for ballot_name, full_name, requested in rows:
        yield ballot_name, full_name or ""
        if requested:
            yield requested, ballot_name


def _check_ballot_name(nomination: Nomination, ballot_name: str) -> tuple[str, str]:
    """The ballot name the nomination takes now, and the variant it asks for ("" if none).

    The member's own name (or a variant already approved) stands unless another candidate already
    stands under it; any other name is a request for the returning officer, refused here if it
    nearly copies another candidate's. Call with the election row locked (``_lock_names``).
    """
    name = " ".join(ballot_name.split())
    if not name:
        raise ElectionError("Give the name to print on the ballot paper.")
    if len(name) > BALLOT_NAME_MAX:
        raise ElectionError(f"The name on the ballot paper can have at most {BALLOT_NAME_MAX} characters.")
    own = " ".join(nomination.nominee.full_name.split())[:BALLOT_NAME_MAX]
    current = nomination.ballot_name if nomination.ballot_name_approved_by_id else own
    if fold_name(name) in (fold_name(own), fold_name(current)):
        taken = current if fold_name(name) == fold_name(current) else own
        for other, _ in _others(nomination):
            if fold_name(other) == fold_name(taken):
                raise ElectionError(
                    f"Another candidate stands as {other}. Ask for a name that tells you apart (with a "
                    "middle name, say, or your branch): the returning officer approves it."
                )
        return taken, ""
    for other, whose in _others(nomination):
        if near_copy(name, other) or near_copy(name, whose):
            raise ElectionError(
                f"“{name}” is too close to another candidate's name ({other}): choose a name that "
                "voters cannot mistake for theirs."
            )
    return current, name


def _lock_names(election: Election) -> None:
    """Hold the election row while a ballot name is claimed: two candidates cannot take one name at once."""
    Election.objects.select_for_update().filter(pk=election.pk).values_list("pk").first()


def _record_request(actor: Any, nomination: Nomination, requested: str) -> None:
    if requested:
        log_action(
            actor=actor,
            action="election.ballot_name_requested",
            target=nomination.election,
            detail={"nomination": nomination.pk, "name": requested},
        )


def _tell_proposer(nomination: Nomination, kind: str) -> None:
    if not nomination.self_nominated:
        _mail(nomination, kind, nomination.proposer, nominee=nomination.nominee)


@transaction.atomic
def accept_nomination(
    *, token: str, statement: str, ballot_name: str, actor: User | AnonymousUser | None = None
) -> Nomination:
    """The nominee accepts from their link, with their statement and the name for the ballot paper."""
    nomination = _locked_by_token(token)
    election = nomination.election
    if nomination.status == NominationStatus.ACCEPTED:
        raise ElectionError("You have already accepted; change your statement from the election's page.")
    if nomination.status != NominationStatus.PENDING:
        raise ElectionError(f"This nomination was {nomination.get_status_display().lower()}.")
    now = timezone.now()
    if now >= election.nominations_close_at or election.confirmed_at is not None:
        raise ElectionError(
            f"Nominations closed on {when(election.nominations_close_at)}: it is too late to accept."
        )
    refusal = standing_refusal(election, nomination.nominee) or nominee_refusal(election, nomination.nominee)
    if refusal:
        raise ElectionError(refusal)
    nomination.statement = _check_statement(election, statement)
    _lock_names(election)
    nomination.ballot_name, nomination.requested_ballot_name = _check_ballot_name(nomination, ballot_name)
    nomination.status = NominationStatus.ACCEPTED
    nomination.responded_at = now
    nomination.save(
        update_fields=["statement", "ballot_name", "requested_ballot_name", "status", "responded_at"]
    )
    _tell_proposer(nomination, "accepted")
    _record_request(actor, nomination, nomination.requested_ballot_name)
    log_action(
        actor=actor,
        action="election.nomination_accepted",
        target=election,
        detail={"nomination": nomination.pk},
    )
    return nomination


@transaction.atomic
def decline_nomination(*, token: str, actor: User | AnonymousUser | None = None) -> Nomination:
    """The nominee declines from their link (until voting opens; after that it no longer matters)."""
    nomination = _locked_by_token(token)
    election = nomination.election
    if nomination.status == NominationStatus.ACCEPTED:
        raise ElectionError(
            "You have accepted this nomination; to stand down, withdraw from the election's page."
        )
    if nomination.status != NominationStatus.PENDING:
        raise ElectionError(f"This nomination was {nomination.get_status_display().lower()}.")
    if timezone.now() >= election.voting_opens_at:
        raise ElectionError(
            "Voting has opened; this nomination was never accepted, so it is not on the ballot."
        )
    nomination.status = NominationStatus.DECLINED
    nomination.responded_at = timezone.now()
    nomination.save(update_fields=["status", "responded_at"])
    _tell_proposer(nomination, "declined")
    log_action(
        actor=actor,
        action="election.nomination_declined",
        target=election,
        detail={"nomination": nomination.pk},
    )
    return nomination


def _lock_own(actor: User | None, nomination: Nomination) -> Nomination:
    locked = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("election", "election__returning_officer", "nominee__user", "proposer__user")
        .get(pk=nomination.pk)
    )
    if actor is None or locked.nominee.user_id != getattr(actor, "pk", None):
        raise ElectionError("Only the nominee changes their nomination.")
    return locked


def change_refusal(nomination: Nomination, now: dt.datetime | None = None) -> str:
    """Why the nominee can no longer edit or withdraw the nomination, or "" while they can."""
    if nomination.status not in (NominationStatus.PENDING, NominationStatus.ACCEPTED):
        return f"This nomination was {nomination.get_status_display().lower()}."
    if (now or timezone.now()) >= nomination.election.voting_opens_at:
        return "Voting has opened: the candidates are fixed."
    return ""


@transaction.atomic
def edit_statement(
    *, actor: User | None, nomination: Nomination, statement: str, ballot_name: str
) -> Nomination:
    """A candidate changes their statement or ballot-paper name, until voting opens."""
    nomination = _lock_own(actor, nomination)
    refusal = change_refusal(nomination)
    if refusal:
        raise ElectionError(refusal)
    if nomination.status != NominationStatus.ACCEPTED:
        raise ElectionError("Accept the nomination first, from the link you were e-mailed.")
    nomination.statement = _check_statement(nomination.election, statement)
    _lock_names(nomination.election)
    nomination.ballot_name, requested = _check_ballot_name(nomination, ballot_name)
    if fold_name(nomination.ballot_name) == fold_name(nomination.nominee.full_name):
        nomination.ballot_name_approved_by = None  # their own name needs no approval
    if requested and requested != nomination.requested_ballot_name:
        _record_request(actor, nomination, requested)
    nomination.requested_ballot_name = requested
    nomination.save(
        update_fields=["statement", "ballot_name", "requested_ballot_name", "ballot_name_approved_by"]
    )
    log_action(
        actor=actor,
        action="election.statement_edited",
        target=nomination.election,
        detail={"nomination": nomination.pk},
    )
    return nomination


@transaction.atomic
def decide_ballot_name(
    *, actor: User | None, nomination: Nomination, approve: bool, reason: str = ""
) -> Nomination:
    """The returning officer approves or refuses the ballot name a candidate asked for, until voting opens.

    Approving is refused, even to the returning officer, if the name has come to nearly copy another
    candidate's since it was asked for.
    """
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("election", "nominee")
        .get(pk=nomination.pk)
    )
    election = nomination.election
    require(
        actor,
        RETURN_ELECTION,
        election,
        "Only the returning officer approves or refuses a ballot name.",
        error=ElectionError,
        system_may_act=False,
    )
    refusal = change_refusal(nomination)
    if refusal:
        raise ElectionError(refusal)
    requested = nomination.requested_ballot_name
    if not requested:
        raise ElectionError("This candidate has not asked for another ballot name.")
    _lock_names(election)
    if approve:
        for other, whose in _others(nomination):
            if near_copy(requested, other) or near_copy(requested, whose):
                raise ElectionError(
                    f"“{requested}” is too close to another candidate's name ({other}), so it cannot be "
                    "approved: refuse it."
                )
        nomination.ballot_name, nomination.ballot_name_approved_by = requested, actor
    nomination.requested_ballot_name = ""
    nomination.save(update_fields=["ballot_name", "requested_ballot_name", "ballot_name_approved_by"])
    log_action(
        actor=actor,
        action="election.ballot_name_approved" if approve else "election.ballot_name_refused",
        target=election,
        detail={"nomination": nomination.pk, "name": requested, "reason": reason.strip()},
    )
    return nomination


def ballot_name_requests(election: Election) -> QuerySet[Nomination]:
    """The candidates waiting for the returning officer's answer on a ballot name."""
    return (
        Nomination.objects.filter(election=election, status=NominationStatus.ACCEPTED)
        .exclude(requested_ballot_name="")
        .select_related("nominee")
        .order_by("sort_name", "pk")
    )


@transaction.atomic
def withdraw_nomination(*, actor: User | None, nomination: Nomination) -> Nomination:
    """The nominee withdraws (pending or accepted) until voting opens; the proposer is told."""
    nomination = _lock_own(actor, nomination)
    refusal = change_refusal(nomination)
    if refusal:
        raise ElectionError(
            "Voting has opened: a candidate can no longer withdraw." if "Voting" in refusal else refusal
        )
    nomination.status = NominationStatus.WITHDRAWN
    nomination.withdrawn_at = timezone.now()
    nomination.save(update_fields=["status", "withdrawn_at"])
    _tell_proposer(nomination, "withdrawn")
    log_action(
        actor=actor,
        action="election.nomination_withdrawn",
        target=nomination.election,
        detail={"nomination": nomination.pk},
    )
    return nomination


# Reads ---------------------------------------------------------------------------------------------
def election_list(user: User) -> QuerySet[Election]:
    """The elections ``user`` may see, with what each row shows, in a fixed number of queries."""
    return (
        visible_elections(user)
        .select_related("committee", "conference", "electing_committee")
        .annotate(
            candidate_count=Count("nominations", filter=Q(nominations__status=NominationStatus.ACCEPTED))
        )
        .order_by("-voting_opens_at", "title", "pk")
    )


def get_election_to_edit(user: User, pk: int) -> Election:
    """The election, for whoever may change it: 404 to those who may not see it, 403 to the rest."""
    election = get_election_for_user(user, pk)
    refusal = editor_refusal(user, election)
    if refusal:
        raise PermissionDenied(refusal)
    return election


def nominations_of(election: Election) -> QuerySet[Nomination]:
    """Every nomination, live ones first, with who proposed and seconded it."""
    return (
        Nomination.objects.filter(election=election)
        .select_related("nominee", "proposer", "seconder")
        .order_by("status", "ballot_name", "pk")
    )


def own_nominations(member: Member | None, election: Election) -> list[Nomination]:
    """The member's own nominations in the election (the live one, and any earlier ones)."""
    if member is None:
        return []
    return list(
        Nomination.objects.filter(election=election, nominee=member)
        .select_related("election", "proposer")
        .order_by("-pk")
    )


def nomination_by_token(token: str) -> Nomination | None:
    """The nomination a nominee's link names (None for a link that names none)."""
    if not token or len(token) > 64:
        return None
    return (
        Nomination.objects.filter(token=token)
        .select_related(
            "election",
            "election__committee",
            "election__conference",
            "election__electing_committee",
            "nominee",
            "proposer",
            "seconder",
        )
        .first()
    )


def get_own_nomination(user: User, pk: int) -> Nomination:
    """The signed-in nominee's own nomination; 404 for anyone else's."""
    member = member_selectors.own_member(user)
    nomination = (
        Nomination.objects.select_related(
            "election", "election__committee", "election__conference", "election__electing_committee"
        )
        .filter(pk=pk)
        .first()
    )
    if nomination is None or member is None or nomination.nominee_id != member.pk:
        raise Http404("No such nomination.")
    return nomination


def nomination_for_officer(user: User, pk: int) -> Nomination:
    """A nomination, for its election's returning officer: 404 if they may not see it, 403 if they may."""
    found = Nomination.objects.select_related("election", "nominee").filter(pk=pk).first()
    if found is None:
        raise Http404("No such nomination.")
    election = get_election_for_user(user, found.election_id)
    if not has_rule(user, RETURN_ELECTION, election):
        raise PermissionDenied("Only the election's returning officer decides a ballot name.")
    found.election = election
    return found


def returning_officer_name(election: Election) -> str:
    """How the election page names its returning officer: their member name, account name or address."""
    officer = election.returning_officer
    if officer is None:
        return "Not yet appointed"
    member = Member.objects.filter(user_id=officer.pk, erased_at__isnull=True).only("full_name").first()
    return member.full_name if member else officer.get_full_name() or officer.email


def user_with_email(email: str) -> Any:
    """The active account with this e-mail address, whatever its case (None if there is none)."""
    email = email.strip()
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
