"""Ballots and tellers: online ranked ballots, paper ballots entered twice, and the reconciliation.

Services take ``actor`` and keyword arguments, run in one transaction and
raise ``ElectionError`` with a message fit to show; nothing is written when
they refuse. Selectors below them read.

**Online ballots.** ``cast_ballot`` records, in one transaction, that the
member has voted (``VoterRecord``, unique per election and member: a second
ballot from another device at the same moment waits for the first and then
fails on that constraint, and the whole transaction rolls back) and the
ballot itself (``Ballot``: the ranking, its source and a fresh receipt
code). The receipt is returned to be shown to the voter once; it is stored
on the ballot only.

**What is deliberately not written.** Casting an online ballot writes *no*
audit entry. An entry "member X voted at T" would be the one timestamp in
the whole chain, and with the ballots' physical order it would put voters
and ballots in the same sequence; the ``VoterRecord`` (which has neither a
time nor an order) is the whole record that someone voted. Issuing a paper
ballot is audited as "a teller issued a paper ballot", with no member:
the entry has a time and the audit trail an order, so naming the member
would list who received the papers in the order they went into the box,
and a box is a stack. Who received a paper is the ``VoterRecord`` with
method "paper", which has neither a time nor an order (its key is a random
UUID, not a sequence). The teller who issued it is on the entry, so an
officer can still ask how many papers each teller handed out.

**A limit, noted, not fixed.** PostgreSQL itself keeps traces the
application does not: the two rows of one online vote are written by the
same transaction (the same ``xmin``), sit at the same relative place in
their tables' heaps and follow each other in the write-ahead log. Someone
with direct access to the database files or a superuser connection could
link them; no query the application makes does (``Ballot`` is always read
in the order of its random key, ``VoterRecord`` by member), and the secrecy
promised is against the application's users and officers, including the
returning officer and the national office.

**Paper ballots.** A teller or the returning officer issues a paper ballot
to a member of the electorate during voting (``issue_paper_ballot``), which
records a ``VoterRecord`` with method "paper": that member cannot then vote
online, nor be issued a second paper, and someone who voted online is
refused a paper. Only once voting has closed do the tellers open the box,
mix the papers, number them 1 to N and each enter every paper once
(``enter_paper``; they may correct their own entry until the papers are
accepted). Entering during voting is refused: paper N could then be entered
only after N papers had been issued, so the numbers would follow the order
of issue. The reconciliation shows a paper's ranking only where the
tellers' entries differ (what they need to find the paper and agree);
an agreed paper is a number and its tellers, no ranking. The
``reconciliation`` compares, per paper number, every teller's entry. Once
voting has closed the returning officer accepts the papers
(``accept_papers``), which is refused unless every paper from 1 to N was
entered by at least two tellers whose entries agree, and no more papers
than were issued; accepting makes one ballot per agreed paper that is not
spoilt, once. Nothing in this module may change after the result is
confirmed.

**Counting and casting.** A cast or an issue takes a shared lock on the
election row before it checks the voting window; the count (conference.results)
locks that row for update, so it waits for votes in flight, and a vote that
started after the count waits and then finds voting closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from awl.audit import log_action
from awl.errors import require
from awl.outbox import queue_email
from awl.permissions import has_rule
from conference.elections.models import (
    Ballot,
    BallotSource,
    Election,
    Nomination,
    PaperEntry,
    Teller,
    VotedBy,
    VoterRecord,
    new_receipt_code,
)
from conference.elections.services.elections import (
    ElectionError,
    Phase,
    candidates,
    electorate,
    in_electorate,
    phase,
)
from conference.rules import ENTER_PAPER_BALLOTS, RETURN_ELECTION
from members.models import Member
from members.selectors import own_member

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ALREADY_VOTED = "You have already voted in this election."
# Paper numbers run from 1; a bound well above any conference keeps a typo from meaning a million papers.
MAX_PAPER_NUMBER = 100_000
_RECEIPT_TRIES = 5


# Helpers --------------------------------------------------------------------------------------------
def _moment(when: dt.datetime) -> str:
    return f"{timezone.localtime(when):%A %-d %B %Y at %H:%M}"


def _share_lock(election: Election) -> None:
    """Hold the election row against the count (which locks it for update) until this transaction ends."""
    with connection.cursor() as cursor:
        # The ORM has no FOR SHARE; the table is conference.Election's (db_table is fixed by the app label).
        cursor.execute("SELECT 1 FROM conference_election WHERE id = %s FOR SHARE", [election.pk])


def _lock(election: Election) -> Election:
    """The election row, locked for update, with its current state."""
    return Election.objects.select_for_update().get(pk=election.pk)


def voting_refusal(election: Election, now: dt.datetime | None = None) -> str:
    """Why no ballot can be cast now, or "" during the voting window."""
    current = phase(election, now)
    if current == Phase.VOTING:
        return ""
    if current in (Phase.CLOSED, Phase.CONFIRMED):
        return f"Voting in this election closed on {_moment(election.voting_closes_at)}."
    return f"Voting in this election opens on {_moment(election.voting_opens_at)}."


# The returning officer's powers: always a person, never the system (actor None).
_require = partial(require, error=ElectionError, system_may_act=False)


def _require_not_confirmed(election: Election) -> None:
    if election.confirmed_at is not None:
        raise ElectionError("The result of this election has been declared: its ballots are closed.")


def _require_papers_open(election: Election) -> None:
    _require_not_confirmed(election)
    if election.papers_accepted_at is not None:
        raise ElectionError(
            f"The paper ballots were accepted on {_moment(election.papers_accepted_at)}: "
            "no paper entry can change now."
        )


def check_ranking(election: Election, ranking: Sequence[int]) -> list[int]:
    """The ranking as a list of candidates' keys, or ``ElectionError`` saying what is wrong with it.

    Every entry must be an accepted candidate of this election, each at most once, and there must
    be at least one.
    """
    if not ranking:
        raise ElectionError("Rank at least one candidate: put a 1 against your first choice.")
    names = dict(candidates(election).values_list("pk", "ballot_name"))
    seen: set[int] = set()
    for place, pk in enumerate(ranking, start=1):
        if pk not in names:
            raise ElectionError(f"Preference {place} is not a candidate in this election.")
        if pk in seen:
            raise ElectionError(
                f"{names[pk]} is ranked more than once: give each candidate one preference at most."
            )
        seen.add(pk)
    return list(ranking)


def _earlier_vote(election: Election, member: Member) -> VoterRecord | None:
    """The member's record of having voted, if any: read for a clear message; the constraint decides."""
    return VoterRecord.objects.filter(election=election, member=member).first()


# Online ballots ------------------------------------------------------------------------------------------
def cast_ballot(*, actor: User, election: Election, ranking: Sequence[int]) -> str:
    """Record that the actor's member has voted and their ballot; return the ballot's receipt code.

    See the module docstring for what is written and what is deliberately not.
    """
    member = own_member(actor)
    with transaction.atomic():
        _share_lock(election)
        refusal = voting_refusal(election)
        if refusal:
            raise ElectionError(refusal)
        if member is None or not in_electorate(election, member):
            raise ElectionError("You are not in the electorate for this election, so you cannot vote in it.")
        preferences = check_ranking(election, ranking)
        earlier = _earlier_vote(election, member)
        if earlier is not None and earlier.method == VotedBy.PAPER:
            raise ElectionError(
                "You were issued a paper ballot in this election, so you cannot also vote online."
            )
        if earlier is not None:
            raise ElectionError(ALREADY_VOTED)
        try:
            with transaction.atomic():
                VoterRecord.objects.create(election=election, member=member, method=VotedBy.ONLINE)
        except IntegrityError:
            # Another device of the same voter got there first (it held the row until it committed).
            raise ElectionError(ALREADY_VOTED) from None
        for _ in range(_RECEIPT_TRIES):
            receipt = new_receipt_code()
            try:
                with transaction.atomic():
                    Ballot.objects.create(
                        election=election,
                        preferences=preferences,
                        source=BallotSource.ONLINE,
                        receipt=receipt,
                    )
            except IntegrityError:  # the receipt is already taken: draw another
                continue
            return receipt
        raise ElectionError(
            "Your ballot could not be recorded just now; nothing was saved. Please try again."
        )


# Tellers ------------------------------------------------------------------------------------------------
def _teller_url(election: Election) -> str:
    try:
        return f"{settings.SITE_URL}{reverse('conference:teller_enter', args=[election.pk])}"
    except NoReverseMatch:  # before the pages exist
        return settings.SITE_URL


def appoint_teller(*, actor: User, election: Election, user: User) -> Teller:
    """The returning officer appoints someone (with an account) to issue and enter paper ballots."""
    _require(actor, RETURN_ELECTION, election, "Only the returning officer appoints tellers.")
    with transaction.atomic():
        election = _lock(election)
        _require_papers_open(election)
        if not user.is_active:
            raise ElectionError("That account is closed, so it cannot be a teller.")
        if election.returning_officer_id == user.pk:
            raise ElectionError(
                "The returning officer cannot also be a teller: "
                "the returning officer checks the tellers' entries."
            )
        standing = Nomination.objects.filter(election=election, nominee__user=user).exclude(
            status__in=["declined", "withdrawn"]
        )
        if standing.exists():
            raise ElectionError("A candidate in this election cannot be one of its tellers.")
        try:
            with transaction.atomic():
                teller = Teller.objects.create(election=election, user=user, appointed_by=actor)
        except IntegrityError:
            raise ElectionError(f"{user.email} is already a teller for this election.") from None
        log_action(actor=actor, action="election.teller_appointed", target=election, detail={"user": user.pk})
        queue_email(
            key=f"election-{election.pk}-teller-{teller.pk}",
            to=user.email,
            template="election-teller",
            context={"election": election, "url": _teller_url(election)},
            group=f"election:{election.pk}",
        )
    return teller


def remove_teller(*, actor: User, teller: Teller) -> int:
    """The returning officer stands a teller down; their paper entries go with them (returns how many)."""
    election = teller.election
    _require(actor, RETURN_ELECTION, election, "Only the returning officer removes tellers.")
    with transaction.atomic():
        election = _lock(election)
        _require_papers_open(election)
        entries = PaperEntry.objects.filter(teller=teller).count()
        user_id = teller.user_id
        deleted, _ = Teller.objects.filter(pk=teller.pk).delete()
        if not deleted:
            raise ElectionError("That teller has already been removed.")
        log_action(
            actor=actor,
            action="election.teller_removed",
            target=election,
            detail={"user": user_id, "entries_removed": entries},
        )
    return entries


# Paper ballots -------------------------------------------------------------------------------------------
def issue_paper_ballot(*, actor: User, election: Election, member: Member) -> VoterRecord:
    """A teller (or the returning officer) hands a member of the electorate a paper ballot."""
    if not (
        getattr(actor, "is_authenticated", False)
        and (has_rule(actor, ENTER_PAPER_BALLOTS, election) or has_rule(actor, RETURN_ELECTION, election))
    ):
        raise ElectionError("Only the tellers and the returning officer issue paper ballots.")
    with transaction.atomic():
        _share_lock(election)
        refusal = voting_refusal(election)
        if refusal:
            raise ElectionError(f"Paper ballots are issued while voting is open. {refusal}")
        if not in_electorate(election, member):
            raise ElectionError(f"{member} is not in the electorate for this election.")
        earlier = VoterRecord.objects.filter(election=election, member=member).first()
        if earlier is not None:
            raise ElectionError(_voted_already(member, earlier.method))
        try:
            with transaction.atomic():
                record = VoterRecord.objects.create(election=election, member=member, method=VotedBy.PAPER)
        except IntegrityError:
            raise ElectionError(f"{member} has already voted in this election.") from None
        # Not the member: see the module docstring (the voter record says who, with no time or order).
        log_action(actor=actor, action="election.paper_issued", target=election, detail={})
    return record


def _voted_already(member: Member, method: str) -> str:
    if method == VotedBy.PAPER:
        return f"{member} has already been issued a paper ballot in this election."
    return f"{member} has already voted online in this election, so cannot have a paper ballot."


def preferences_from_marks(marks: Mapping[int, int]) -> tuple[list[int], str]:
    """A paper's preferences, from the number marked against each candidate (key → mark).

    As on any STV paper, the preferences run 1, 2, 3, … and stop before the first number that is
    missing or marked against more than one candidate. A paper without a single 1 is void: that
    is an ``ElectionError`` telling the teller to enter it as spoilt. Returns the candidates' keys
    in order and a note of any marks not counted ("" if none).
    """
    by_mark: dict[int, list[int]] = {}
    for pk, mark in marks.items():
        by_mark.setdefault(mark, []).append(pk)
    if len(by_mark.get(1, [])) != 1:
        raise ElectionError(
            "This paper has no single first preference (no 1, or more than one 1): it is void, "
            "so enter it as spoilt."
        )
    preferences: list[int] = []
    mark = 1
    while len(by_mark.get(mark, [])) == 1:
        preferences.append(by_mark[mark][0])
        mark += 1
    note = ""
    if len(preferences) < len(marks):
        reason = "is marked more than once" if by_mark.get(mark) else "is missing"
        note = f"Preferences from {mark} on were not counted: the number {mark} {reason}."
    return preferences, note


def entry_refusal(election: Election, now: dt.datetime | None = None) -> str:
    """Why no paper can be entered yet, or "" once voting has closed: see the module docstring."""
    if phase(election, now) in (Phase.CLOSED, Phase.CONFIRMED):
        return ""
    return (
        f"Paper ballots are entered once voting has closed, on {_moment(election.voting_closes_at)}: "
        "then open the box, mix the papers, and number them."
    )


def enter_paper(
    *,
    actor: User,
    election: Election,
    paper_number: int,
    ranking: Sequence[int] | None,
    spoilt: bool = False,
    correct: bool = False,
) -> PaperEntry:
    """A teller's entry of one numbered paper: its preferences (candidates' keys in order), or spoilt.

    Each teller enters each paper once; ``correct`` replaces the teller's own earlier entry.
    """
    teller = (
        Teller.objects.filter(election=election, user_id=actor.pk).first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if teller is None:
        raise ElectionError("Only this election's tellers enter paper ballots.")
    if not 1 <= paper_number <= MAX_PAPER_NUMBER:
        raise ElectionError(f"Paper numbers run from 1 to at most {MAX_PAPER_NUMBER}.")
    with transaction.atomic():
        _share_lock(election)
        election.refresh_from_db(fields=["papers_accepted_at", "confirmed_at"])
        _require_papers_open(election)
        refusal = entry_refusal(election)
        if refusal:
            raise ElectionError(refusal)
        if spoilt and ranking:
            raise ElectionError("Either mark the paper spoilt or enter its preferences, not both.")
        issued = VoterRecord.objects.filter(election=election, method=VotedBy.PAPER).count()
        if paper_number > issued:
            raise ElectionError(
                f"Only {issued} paper ballot{'' if issued == 1 else 's'} "
                f"{'has' if issued == 1 else 'have'} been issued, so there is no paper {paper_number}."
            )
        preferences = [] if spoilt else check_ranking(election, ranking or [])
        mine = PaperEntry.objects.select_for_update().filter(teller=teller, paper_number=paper_number).first()
        if mine is not None and not correct:
            raise ElectionError(
                f"You have already entered paper {paper_number}. To change your entry, tick "
                "“This corrects my earlier entry”."
            )
        if mine is not None:
            mine.preferences, mine.spoilt, mine.entered_at = preferences, spoilt, timezone.now()
            mine.save(update_fields=["preferences", "spoilt", "entered_at"])
            entry = mine
        else:
            try:
                with transaction.atomic():
                    entry = PaperEntry.objects.create(
                        election=election,
                        teller=teller,
                        paper_number=paper_number,
                        preferences=preferences,
                        spoilt=spoilt,
                    )
            except IntegrityError:
                raise ElectionError(f"You have already entered paper {paper_number}.") from None
        log_action(
            actor=actor,
            action="election.paper_corrected" if mine is not None else "election.paper_entered",
            target=election,
            detail={"paper": paper_number, "spoilt": spoilt},
        )
    return entry


# The reconciliation ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EntryRow:
    """One teller's entry of a paper; its reading only where the tellers differ (see the module docstring)."""

    teller: str
    preferences: list[str]  # candidates' names, first preference first ([] unless the entries differ)
    spoilt: bool  # False unless the entries differ


@dataclass
class PaperRow:
    number: int
    entries: list[EntryRow]
    state: str  # "agreed", "differ" or "single"
    preferences: list[int] = field(default_factory=list)  # the agreed ranking (keys)
    spoilt: bool = False


@dataclass
class Reconciliation:
    papers: list[PaperRow]
    missing: list[int]
    issued: int
    problems: list[str]
    accepted_at: dt.datetime | None

    @property
    def agreed(self) -> list[PaperRow]:
        return [row for row in self.papers if row.state == "agreed"]

    @property
    def spoilt(self) -> int:
        return sum(1 for row in self.agreed if row.spoilt)

    @property
    def ballots(self) -> int:
        """The ballots acceptance would make: agreed papers that are not spoilt."""
        return sum(1 for row in self.agreed if not row.spoilt)

    @property
    def ready(self) -> bool:
        return bool(self.papers) and not self.problems


def _numbers_text(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:20])
    return shown + (f" and {len(numbers) - 20} more" if len(numbers) > 20 else "")


def reconciliation(election: Election) -> Reconciliation:
    """Per paper number, every teller's entry and whether they agree; what stands in the way of acceptance."""
    names = dict(Nomination.objects.filter(election=election).values_list("pk", "ballot_name"))
    standing = set(candidates(election).values_list("pk", flat=True))
    entries = (
        PaperEntry.objects.filter(election=election)
        .select_related("teller__user")
        .order_by("paper_number", "teller__user__email")
    )
    by_number: dict[int, list[PaperEntry]] = {}
    for entry in entries:
        by_number.setdefault(entry.paper_number, []).append(entry)
    papers: list[PaperRow] = []
    for number, found in by_number.items():
        readings = {(tuple(entry.preferences), entry.spoilt) for entry in found}
        differing = len(found) >= 2 and len(readings) > 1
        shown = [
            EntryRow(
                teller=_teller_name(entry.teller),
                preferences=[names.get(pk, "(not a candidate)") for pk in entry.preferences]
                if differing
                else [],
                spoilt=entry.spoilt and differing,
            )
            for entry in found
        ]
        if len(found) < 2:
            row = PaperRow(number, shown, "single")
        elif differing:
            row = PaperRow(number, shown, "differ")
        else:
            row = PaperRow(number, shown, "agreed", list(found[0].preferences), found[0].spoilt)
        papers.append(row)
    highest = max(by_number, default=0)
    missing = [n for n in range(1, highest + 1) if n not in by_number]
    issued = VoterRecord.objects.filter(election=election, method=VotedBy.PAPER).count()
    problems: list[str] = []
    single = [row.number for row in papers if row.state == "single"]
    differ = [row.number for row in papers if row.state == "differ"]
    if single:
        problems.append(f"Entered by only one teller: paper {_numbers_text(single)}.")
    if differ:
        problems.append(f"The tellers' entries differ: paper {_numbers_text(differ)}.")
    if missing:
        problems.append(f"Not entered by anyone: paper {_numbers_text(missing)}.")
    if highest > issued:
        were = "paper ballot was" if issued == 1 else "paper ballots were"
        problems.append(f"There are {highest} papers but only {issued} {were} issued.")
    gone = [row.number for row in papers if row.state == "agreed" and not set(row.preferences) <= standing]
    if gone:
        problems.append(f"Ranks someone who is no longer a candidate: paper {_numbers_text(gone)}.")
    return Reconciliation(papers, missing, issued, problems, election.papers_accepted_at)


def _teller_name(teller: Teller) -> str:
    return str(teller.user.get_full_name() or teller.user.email)


def accept_papers(*, actor: User, election: Election) -> int:
    """The returning officer accepts the reconciled papers: one ballot per agreed paper not spoilt, once.

    Returns the number of ballots made.
    """
    _require(actor, RETURN_ELECTION, election, "Only the returning officer accepts the paper ballots.")
    with transaction.atomic():
        election = _lock(election)
        _require_not_confirmed(election)
        if election.papers_accepted_at is not None:
            raise ElectionError(
                f"The paper ballots were already accepted on {_moment(election.papers_accepted_at)}."
            )
        if phase(election) != Phase.CLOSED:
            raise ElectionError(
                f"Paper ballots are accepted once voting has closed, on {_moment(election.voting_closes_at)}."
            )
        found = reconciliation(election)
        if not found.papers:
            raise ElectionError("No paper ballots have been entered, so there is nothing to accept.")
        if found.problems:
            raise ElectionError("The papers cannot be accepted yet. " + " ".join(found.problems))
        ballots = [
            Ballot(election=election, preferences=row.preferences, source=BallotSource.PAPER, receipt=None)
            for row in found.agreed
            if not row.spoilt
        ]
        Ballot.objects.bulk_create(ballots)
        election.papers_accepted_at = timezone.now()
        election.papers_accepted_by = actor
        election.save(update_fields=["papers_accepted_at", "papers_accepted_by"])
        log_action(
            actor=actor,
            action="election.papers_accepted",
            target=election,
            detail={"papers": len(found.papers), "ballots": len(ballots), "spoilt": found.spoilt},
        )
    return len(ballots)


def papers_refusal(election: Election) -> str:
    """Why the count must wait for the paper ballots, or "" (none were issued, or they were accepted)."""
    if election.papers_accepted_at is not None:
        return ""
    if VoterRecord.objects.filter(election=election, method=VotedBy.PAPER).exists():
        return (
            "Paper ballots were issued: the returning officer must accept the tellers' entries "
            "before the count."
        )
    return ""


# Selectors -------------------------------------------------------------------------------------------
def has_voted(election: Election, member: Member | None) -> bool:
    return member is not None and VoterRecord.objects.filter(election=election, member=member).exists()


def voted_by(election: Election, member: Member) -> str | None:
    """How the member voted ("online", or "paper" once issued one), or None if they have not."""
    return (
        VoterRecord.objects.filter(election=election, member=member).values_list("method", flat=True).first()
    )


@dataclass(frozen=True)
class Turnout:
    online: int
    paper: int
    electorate: int

    @property
    def voted(self) -> int:
        return self.online + self.paper

    @property
    def percent(self) -> str:
        """The share of the electorate who voted, to one decimal place ("0.0" when nobody may vote)."""
        if not self.electorate:
            return "0.0"
        return f"{100 * self.voted / self.electorate:.1f}"


def turnout(election: Election) -> Turnout:
    """Who has voted, by method (a paper ballot counts once issued), against the electorate's size today."""
    counts = VoterRecord.objects.filter(election=election).aggregate(
        online=Count("pk", filter=Q(method=VotedBy.ONLINE)), paper=Count("pk", filter=Q(method=VotedBy.PAPER))
    )
    return Turnout(online=counts["online"], paper=counts["paper"], electorate=electorate(election).count())


def receipts(election: Election) -> list[str]:
    """The receipt codes of the online ballots, sorted: for publication, never beside a ranking."""
    found = (
        Ballot.objects.filter(election=election, source=BallotSource.ONLINE, receipt__isnull=False)
        .order_by("receipt")
        .values_list("receipt", flat=True)
    )
    return [receipt for receipt in found if receipt]


def receipt_counted(election: Election, receipt: str) -> bool:
    return Ballot.objects.filter(election=election, source=BallotSource.ONLINE, receipt=receipt).exists()


def tellers(election: Election) -> QuerySet[Teller]:
    return (
        Teller.objects.filter(election=election)
        .select_related("user")
        .annotate(papers=Count("entries"))
        .order_by("user__email")
    )


def own_entries(teller: Teller) -> list[PaperEntry]:
    """A teller's own paper entries, by paper number."""
    return list(PaperEntry.objects.filter(teller=teller).order_by("paper_number"))


def teller_of(user: User, election: Election) -> Teller | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Teller.objects.filter(election=election, user_id=user.pk).first()


def electorate_search(election: Election, q: str, limit: int = 20) -> tuple[list[Member], bool]:
    """Members of the electorate whose name contains ``q`` (at most ``limit``), and whether there are more.

    Each carries ``voted_by``: "online", "paper" or None (not yet).
    """
    if not q:
        return [], False
    method = VoterRecord.objects.filter(election=election, member=OuterRef("pk")).values("method")[:1]
    rows = list(
        electorate(election)
        .filter(full_name__icontains=q)
        .annotate(voted_by=Subquery(method))
        .select_related("branch")[: limit + 1]
    )
    return list(rows[:limit]), len(rows) > limit
