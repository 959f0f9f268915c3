"""The count and the result of an election: counting, confirming, and BLT files in and out.

The returning officer (``conference.return_election``) runs the count once
voting has closed, as often as they like until they confirm one: each run is
an ``ElectionCount`` holding the count sheet (``stv.CountResult.as_dict()``),
the candidates elected (Nomination keys, in order of election), the seed of
the lot and the number of ballot papers read. Every run gets a seed, given or
drawn, so any count can be repeated exactly.

Confirming the latest count declares the result, once: it creates the elected
members' terms of office on the committee (``committees.services
.start_elected_terms``) and e-mails every candidate and everyone in the
electorate, one message each. Before it confirms, it counts the ballots again
with the count's seed and refuses if the result differs, so a ballot added
or replaced after the count cannot slip under a declared result.

**BLT files.** ``export_blt`` writes the election's ballots as an anonymised
BLT file (identical rankings merged and sorted: neither receipts nor the order
of casting survive), for the returning officer once voting has closed and for
everyone who may read the result once it is declared. ``import_blt`` adds the
ballots of a BLT file (papers counted elsewhere, or a recount on paper) as
``Ballot(source=imported)`` rows, counted with the rest. The file is read and
checked whole first (its candidates must be this election's, by name, and its
seats the same) and nothing is written unless all of it is good. A second
import *replaces* the ballots imported before, and only when the returning
officer says so (``replace=True``): a file imported by mistake can be put
right before the result is declared, but never by accident, and ballots cast
online or entered by the tellers are never touched. A file holding exactly
the ballots already in the election (the election's own export) is refused,
since importing it would count every ballot twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from awl.audit import log_action
from awl.outbox import queue_email
from awl.permissions import has_rule
from committees.models import TermBasis
from committees.services import CommitteeError, start_elected_terms
from conference.elections.counting import blt, stv
from conference.elections.models import (
    Ballot,
    BallotImport,
    BallotSource,
    Election,
    ElectionCount,
    Nomination,
    PaperEntry,
    VotedBy,
    VoterRecord,
)
from conference.elections.services.elections import (
    ElectionError,
    Phase,
    candidates,
    electorate,
    in_electorate,
    phase,
)
from conference.rules import RETURN_ELECTION, SET_UP_ELECTION
from members.models import Member

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SEED_LIMIT = 2**63  # seeds are stored in a BigIntegerField
DRAWN_SEED_LIMIT = 10**9  # a drawn seed short enough to read out and type again
MAX_IMPORTED_PAPERS = 200_000  # more papers than any electorate: a file claiming more is a mistake


# Who may do and see what -------------------------------------------------------------------------
def _require_returning_officer(actor: User | None, election: Election, message: str) -> None:
    if actor is not None and not has_rule(actor, RETURN_ELECTION, election):
        raise ElectionError(message)


def may_read_result(user: User, election: Election) -> bool:
    """Whether ``user`` may read the declared result: the electorate, the candidates, officers, the RO.

    The returning officer reads everything at any time; nobody else reads
    anything of the count until the result is declared.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if election.returning_officer_id == user.pk:
        return True
    if election.confirmed_at is None:
        return False
    if has_rule(user, SET_UP_ELECTION):
        return True
    member = Member.objects.filter(user=user, erased_at__isnull=True).first()
    if member is None:
        return False
    if Nomination.objects.filter(election=election, nominee=member).exists():
        return True
    return in_electorate(election, member, voting_day(election))


def voting_day(election: Election) -> dt.date:
    """The day voting closed (Europe/London): whose electorate a committee's election had."""
    return timezone.localtime(election.voting_closes_at).date()


def count_refused(election: Election, now: dt.datetime | None = None) -> str:
    """Why the count cannot be run now ("" when it can); the pages offer the button only when ""."""
    current = phase(election, now)
    if current == Phase.CONFIRMED:
        return "The result has been declared: there is no more counting."
    if current != Phase.CLOSED:
        closes = timezone.localtime(election.voting_closes_at)
        return f"The count can be run once voting has closed ({closes:%-d %B %Y, %H:%M})."
    return ""


def latest_count(election: Election) -> ElectionCount | None:
    return ElectionCount.objects.filter(election=election).order_by("-run_at", "-pk").first()


def confirm_refused(election: Election, count: ElectionCount, now: dt.datetime | None = None) -> str:
    """Why this count cannot be confirmed now ("" when it can), short of counting again."""
    if election.confirmed_at is not None:
        return "The result has already been declared."
    if count.election_id != election.pk:
        return "That count is not of this election."
    refused = count_refused(election, now)
    if refused:
        return refused
    latest = latest_count(election)
    if latest is None or latest.pk != count.pk:
        return "Only the latest count can be confirmed: a later count has been run."
    if papers_pending(election):
        return (
            "The tellers' paper entries have not been accepted as ballots yet: accept them, "
            "run the count again, then confirm."
        )
    return totals_refusal(election)


def papers_pending(election: Election) -> bool:
    """Whether paper ballots were issued or entered and the returning officer has not yet accepted them."""
    if election.papers_accepted_at is not None:
        return False
    entered = PaperEntry.objects.filter(election=OuterRef("pk"))
    if election.counted_off_system:  # its issued papers come back as the import, not the tellers' entries
        return Election.objects.filter(Exists(entered), pk=election.pk).exists()
    issued = VoterRecord.objects.filter(election=OuterRef("pk"), method=VotedBy.PAPER)
    return Election.objects.filter(Exists(issued) | Exists(entered), pk=election.pk).exists()


@dataclass(frozen=True)
class Reconciled:
    """The election's ballot papers set against who voted: the numbers a result must add up to."""

    ballots: int  # every Ballot row
    by_source: dict[str, int]
    online_records: int  # VoterRecord online
    paper_issued: int  # VoterRecord paper
    papers_accepted: int  # papers the returning officer accepted that became ballots (not spoilt)
    imported: int  # papers in the current import (0 if none)
    electorate: int
    off_system: bool

    @property
    def voter_records(self) -> int:
        return self.online_records + self.paper_issued

    @property
    def expected(self) -> int:
        return self.online_records + self.papers_accepted + (self.imported if self.off_system else 0)


def accepted_papers(election: Election) -> int:
    """Paper ballots that became ballots on acceptance: the agreed paper numbers not spoilt, read from the
    tellers' entries (acceptance is refused while any paper is in dispute), or 0 before acceptance."""
    if election.papers_accepted_at is None:
        return 0
    return (
        PaperEntry.objects.filter(election=election, spoilt=False)
        .order_by()
        .values("paper_number")
        .distinct()
        .count()
    )


def reconciled(election: Election) -> Reconciled:
    records = dict(
        VoterRecord.objects.filter(election=election).order_by().values_list("method").annotate(n=Count("pk"))
    )
    current = BallotImport.objects.filter(election=election, replaced_by__isnull=True).first()
    totals = ballot_totals(election)
    return Reconciled(
        ballots=sum(totals.values()),
        by_source=totals,
        online_records=records.get(VotedBy.ONLINE, 0),
        paper_issued=records.get(VotedBy.PAPER, 0),
        papers_accepted=accepted_papers(election),
        imported=current.papers if current is not None else 0,
        electorate=electorate(election, voting_day(election)).count(),
        off_system=election.counted_off_system,
    )


def _papers(n: int) -> str:
    return f"{n} ballot paper{'s' if n != 1 else ''}"


def totals_refusal(election: Election) -> str:
    """Why the ballots do not add up ("" when they do): no count and no result until they do.

    Ballots = online voter records + accepted paper ballots (+ the imported papers, in an election
    counted off this system, never more than the papers issued), and voter records <= the electorate.
    """
    t = reconciled(election)
    if t.voter_records > t.electorate:
        return (
            f"{t.voter_records} members are recorded as having voted but the electorate has "
            f"{t.electorate}: no count and no result until that is explained."
        )
    if t.off_system and t.imported > t.paper_issued:
        return (
            f"The import holds {_papers(t.imported)} but {t.paper_issued} paper ballots were "
            "recorded as issued."
        )
    imported = t.by_source.get(BallotSource.IMPORTED, 0)
    if not t.off_system and imported:
        return (
            f"{_papers(imported)} were imported into an election not declared as counted from ballots cast "
            "off this system: no count and no result."
        )
    if t.ballots != t.expected:
        parts = [f"{t.online_records} online voter records", f"{t.papers_accepted} accepted paper ballots"]
        if t.off_system:
            parts.append(f"{t.imported} imported papers")
        return (
            f"There are {_papers(t.ballots)} but {' + '.join(parts)} = {t.expected}: "
            "the totals do not add up, so there is no count and no result."
        )
    return ""


def ballot_totals(election: Election) -> dict[str, int]:
    """The ballot papers in the election, by where they came from (online, paper, imported)."""
    rows = Ballot.objects.filter(election=election).order_by().values_list("source").annotate(n=Count("pk"))
    return {source: 0 for source in BallotSource.values} | dict(rows)


def counts_of(election: Election) -> list[ElectionCount]:
    """Every count run, newest first, with who ran it."""
    return list(
        ElectionCount.objects.filter(election=election).select_related("run_by").order_by("-run_at", "-pk")
    )


# Reading the ballots -----------------------------------------------------------------------------
def _ballot_groups(election: Election, *, exclude_imported: bool = False) -> Counter[tuple[int, ...]]:
    """Identical rankings (Nomination keys) merged, with their numbers of papers; grouped by the database."""
    ballots = Ballot.objects.filter(election=election)
    if exclude_imported:
        ballots = ballots.exclude(source=BallotSource.IMPORTED)
    rows = ballots.order_by().values_list("preferences").annotate(papers=Count("pk"))
    return Counter({tuple(preferences): papers for preferences, papers in rows})


def _counted(election: Election, seed: int) -> tuple[stv.CountResult, list[Nomination], int]:
    """The count of the ballots as they stand: the result, the candidates in ballot order, the papers read."""
    standing = list(candidates(election).select_related("nominee__user"))
    if not standing:
        raise ElectionError("There are no candidates to count.")
    index = {nomination.pk: i for i, nomination in enumerate(standing)}
    groups = _ballot_groups(election)
    ballots: list[tuple[tuple[int, ...], int]] = []
    for preferences, papers in sorted(groups.items()):
        try:
            ballots.append((tuple(index[pk] for pk in preferences), papers))
        except KeyError:
            raise ElectionError(
                "A ballot ranks someone who is not a candidate; it cannot be counted."
            ) from None
    papers_read = sum(groups.values())
    if papers_read == 0 and len(standing) > election.seats:
        raise ElectionError("There are no ballots to count.")
    try:
        result = stv.count([n.ballot_name for n in standing], election.seats, ballots, seed=seed)
    except stv.CountError as exc:
        raise ElectionError(f"The ballots cannot be counted: {exc}.") from exc
    return result, standing, papers_read


def _check_seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbelow(DRAWN_SEED_LIMIT)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT:
        raise ElectionError(f"The seed must be a whole number from 0 to {SEED_LIMIT - 1}.")
    return seed


# The count and the result ------------------------------------------------------------------------
@transaction.atomic
def run_count(
    *, actor: User | None, election: Election, seed: int | None = None, reason: str = ""
) -> ElectionCount:
    """Count the ballots by Scottish STV and keep the count sheet; a seed is drawn if none is given.

    Refused unless the ballots add up (``totals_refusal``); a recount needs its reason, which the
    result shows ("count 2 of 2; count 1 replaced because …").
    """
    _require_returning_officer(actor, election, "Only the election's returning officer runs the count.")
    election = Election.objects.select_for_update().get(pk=election.pk)
    refused = count_refused(election) or totals_refusal(election)
    if refused:
        raise ElectionError(refused)
    reason = " ".join(reason.split())[:500]
    earlier = ElectionCount.objects.filter(election=election).count()
    if earlier and not reason:
        raise ElectionError(
            f"The ballots have been counted {'once' if earlier == 1 else f'{earlier} times'} already: "
            "say why you are counting again (the result shows it)."
        )
    seed = _check_seed(seed)
    result, standing, papers_read = _counted(election, seed)
    count = ElectionCount.objects.create(
        election=election,
        run_by=actor if getattr(actor, "is_authenticated", False) else None,
        seed=seed,
        ballots=papers_read,
        reason=reason,
        result=result.as_dict(),
        elected=[standing[i].pk for i in result.elected],
    )
    log_action(
        actor=actor,
        action="election.counted",
        target=election,
        detail={
            "count": count.pk,
            "seed": seed,
            "ballots": papers_read,
            "elected": count.elected,
            "reason": reason,
        },
    )
    return count


@transaction.atomic
def confirm_result(*, actor: User | None, election: Election, count: ElectionCount) -> Election:
    """Declare the result of the latest count, once: terms of office, then the e-mails."""
    _require_returning_officer(actor, election, "Only the election's returning officer confirms the result.")
    election = (
        Election.objects.select_for_update(of=("self",))
        .select_related("committee", "conference", "electing_committee")
        .get(pk=election.pk)
    )
    refused = confirm_refused(election, count)
    if refused:
        raise ElectionError(refused)
    count = ElectionCount.objects.get(pk=count.pk)
    result, standing, papers_read = _counted(election, count.seed)
    if papers_read != count.ballots or result.as_dict() != count.result:
        raise ElectionError("The ballots have changed since this count was run: run the count again.")
    needed = min(election.seats, len(standing))
    if len(count.elected) < needed:
        raise ElectionError(
            f"This count elects {len(count.elected)} of {election.seats} and there were enough candidates; "
            "it cannot be confirmed."
        )
    by_pk = {nomination.pk: nomination for nomination in standing}
    elected = [by_pk[pk] for pk in count.elected]

    now = timezone.now()
    election.confirmed_count = count
    election.confirmed_at = now
    election.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
    election.save(update_fields=["confirmed_count", "confirmed_at", "confirmed_by"])

    if election.conference is not None:
        basis, detail = TermBasis.ELECTED_AT_CONFERENCE, f"Elected at {election.conference}"
    else:
        basis, detail = TermBasis.ELECTED_BY_COMMITTEE, f"Elected by the {election.electing_committee}"
    try:
        terms = start_elected_terms(
            actor=actor,
            committee=election.committee,
            members=[nomination.nominee for nomination in elected],
            starts_on=election.term_starts_on,
            ends_on=election.term_ends_on,
            basis=basis,
            basis_detail=detail[:200],
        )
    except CommitteeError as exc:
        raise ElectionError(
            f"{exc} End that term first (or correct it), then confirm the result: nothing has been declared."
        ) from exc

    mailed = _mail_result(election, standing, elected)
    log_action(
        actor=actor,
        action="election.confirmed",
        target=election,
        detail={
            "count": count.pk,
            "elected": count.elected,
            "terms": [t.pk for t in terms],
            "mailed": mailed,
        },
    )
    return election


def _result_url(election: Election) -> str:
    try:
        return f"{settings.SITE_URL}{reverse('conference:result_detail', args=[election.pk])}"
    except NoReverseMatch:  # before the pages exist
        return settings.SITE_URL


def _mail_result(election: Election, standing: list[Nomination], elected: list[Nomination]) -> int:
    """One e-mail per person: each candidate (elected or not), then the rest of the electorate."""
    context: dict[str, Any] = {
        "election": election,
        "elected": [nomination.ballot_name for nomination in elected],
        "url": _result_url(election),
    }
    elected_pks = {nomination.pk for nomination in elected}
    recipients: list[tuple[Member, dict[str, Any]]] = [
        (n.nominee, {**context, "candidate": True, "was_elected": n.pk in elected_pks}) for n in standing
    ]
    recipients += [(voter, context) for voter in electorate(election, voting_day(election))]
    sent = 0
    for person, person_context in recipients:
        if person.erased_at is not None or not person.user.email:
            continue
        made = queue_email(
            key=f"election-{election.pk}-result-{person.pk}",
            to=person.user.email,
            template="election-result",
            context={**person_context, "name": person.display_name},
            group=f"election:{election.pk}",
        )
        sent += made is not None
    return sent


# Counted off this system --------------------------------------------------------------------------
def off_system_refusal(election: Election, now: dt.datetime | None = None) -> str:
    """Why the returning officer can no longer say how the election is counted ("" while they can)."""
    if (now or timezone.now()) >= election.voting_opens_at or election.confirmed_at is not None:
        return "Voting has opened: how the ballots are counted can no longer change."
    return ""


@transaction.atomic
def declare_counted_off_system(*, actor: User | None, election: Election, off_system: bool) -> Election:
    """The returning officer declares, before voting opens, whether the ballots are cast off this system
    (and come in as one BLT file, capped by the papers issued) or on it."""
    _require_returning_officer(
        actor, election, "Only the election's returning officer says how the ballots are counted."
    )
    election = Election.objects.select_for_update().get(pk=election.pk)
    refusal = off_system_refusal(election)
    if refusal:
        raise ElectionError(refusal)
    if election.counted_off_system == off_system:
        return election
    election.counted_off_system = off_system
    election.save(update_fields=["counted_off_system"])
    log_action(
        actor=actor, action="election.counted_off_system", target=election, detail={"off_system": off_system}
    )
    return election


# The record the electorate sees ---------------------------------------------------------------------
@dataclass(frozen=True)
class CountRecord:
    number: int  # 1, 2, ...
    count: ElectionCount
    replaced_because: str  # the reason the next count gave; "" for the last


def count_record(election: Election) -> list[CountRecord]:
    """Every count in the order run, each with why it was replaced ("count 1 replaced because …")."""
    runs = list(ElectionCount.objects.filter(election=election).order_by("run_at", "pk"))
    return [
        CountRecord(
            number=i + 1,
            count=run,
            replaced_because=runs[i + 1].reason if i + 1 < len(runs) else "",
        )
        for i, run in enumerate(runs)
    ]


def import_record(election: Election) -> list[BallotImport]:
    """Every BLT file imported, first first, with who imported it and what replaced it."""
    return list(
        BallotImport.objects.filter(election=election)
        .select_related("imported_by", "replaced_by")
        .order_by("imported_at", "pk")
    )


# BLT files ---------------------------------------------------------------------------------------
def blt_refused(user: User, election: Election, now: dt.datetime | None = None) -> str:
    """Why ``user`` may not download the ballots now ("" when they may)."""
    if election.confirmed_at is not None and may_read_result(user, election):
        return ""
    if getattr(user, "is_authenticated", False) and election.returning_officer_id == user.pk:
        if (now or timezone.now()) >= election.voting_closes_at:
            return ""
        return "The ballots can be downloaded once voting has closed."
    return "The ballots are published with the result."


def export_blt(election: Election) -> str:
    """The ballots as an anonymised BLT file: candidates by ballot name, identical rankings merged, sorted."""
    standing = list(candidates(election))
    index = {nomination.pk: i for i, nomination in enumerate(standing)}
    ballots = tuple(
        (tuple(index[pk] for pk in preferences if pk in index), papers)
        for preferences, papers in _ballot_groups(election).items()
    )
    return blt.write_blt(
        blt.BltElection(
            candidates=tuple(n.ballot_name for n in standing),
            seats=election.seats,
            ballots=ballots,
            title=election.title,
        )
    )


def _name_key(name: str) -> str:
    return blt.clean_text(name).casefold()


def _names(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "none"


def _file_to_candidates(election: Election, read: blt.BltElection) -> dict[int, int]:
    """The file's candidate indices (withdrawn ones left out) → this election's Nomination keys."""
    standing = list(candidates(election))
    if not standing:
        raise ElectionError("This election has no candidates, so no ballots can be imported.")
    ours = {_name_key(n.ballot_name): n for n in standing}
    if len(ours) != len(standing):
        raise ElectionError(
            "Two candidates' ballot names differ only in case, so a file cannot be matched to them."
        )
    withdrawn = set(read.withdrawn)
    theirs = {_name_key(name): i for i, name in enumerate(read.candidates) if i not in withdrawn}
    marked = [read.candidates[i] for i in sorted(withdrawn) if _name_key(read.candidates[i]) in ours]
    if marked:
        raise ElectionError(f"The file marks {_names(marked)} as withdrawn, but they are candidates here.")
    missing = [n.ballot_name for key, n in ours.items() if key not in theirs]
    extra = [read.candidates[i] for key, i in theirs.items() if key not in ours]
    if missing or extra:
        raise ElectionError(
            "The file's candidates are not this election's. "
            f"Candidates missing from the file: {_names(missing)}. "
            f"In the file but not candidates here: {_names(extra)}."
        )
    return {i: ours[key].pk for key, i in theirs.items()}


@transaction.atomic
def import_blt(
    *, actor: User | None, election: Election, text: str, replace: bool = False, reason: str = ""
) -> int:
    """Add a BLT file's ballots to the election; returns the number of papers imported.

    Only for an election declared, before voting opened, as counted from ballots cast off this system,
    and never more papers than were recorded as issued. Read and checked whole before anything is
    written. ``replace`` (with its ``reason``) replaces the ballots an earlier import added (and only
    those); every import stays on record (``BallotImport``), the replaced one marked so, with why.
    """
    _require_returning_officer(actor, election, "Only the election's returning officer imports ballots.")
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.confirmed_at is not None:
        raise ElectionError("The result has been declared: no more ballots can be imported.")
    if not election.counted_off_system:
        raise ElectionError(
            "This election was not declared, before voting opened, as counted from ballots cast off this "
            "system, so no ballots can be imported into it."
        )
    if timezone.now() < election.voting_closes_at:
        raise ElectionError("Ballots can be imported once voting has closed.")
    try:
        read = blt.read_blt(text)
    except blt.BltError as exc:
        raise ElectionError(f"The file cannot be read: {exc}.") from exc
    if read.seats != election.seats:
        raise ElectionError(
            f"The file is for {read.seats} seat{'s' if read.seats != 1 else ''}; "
            f"this election fills {election.seats}."
        )
    to_pk = _file_to_candidates(election, read)
    papers: Counter[tuple[int, ...]] = Counter()
    for preferences, number in read.ballots:
        papers[tuple(to_pk[i] for i in preferences if i in to_pk)] += number
    total = sum(papers.values())
    if total == 0:
        raise ElectionError("The file holds no ballot papers.")
    if total > MAX_IMPORTED_PAPERS:
        raise ElectionError(
            f"The file holds {total} papers, more than {MAX_IMPORTED_PAPERS} can be imported."
        )
    issued = VoterRecord.objects.filter(election=election, method=VotedBy.PAPER).count()
    if total > issued:
        raise ElectionError(
            f"The file holds {_papers(total)} but only {_papers(issued)} "
            f"{'were' if issued != 1 else 'was'} recorded as issued: nothing was imported."
        )

    imported = Ballot.objects.filter(election=election, source=BallotSource.IMPORTED)
    already = imported.count()
    if already and not replace:
        raise ElectionError(
            f"{already} paper{'s were' if already != 1 else ' was'} imported already. Tick “replace” to "
            "replace them with this file's (the ballots cast online and entered by the tellers stay)."
        )
    others = _ballot_groups(election, exclude_imported=True)
    if +papers == +others:
        raise ElectionError(
            "The file holds exactly the ballots already in this election (it looks like this election's own "
            "ballots file): importing it would count every ballot twice."
        )
    reason = " ".join(reason.split())[:500]
    if already and not reason:
        raise ElectionError("Say why the earlier import is replaced: the result shows it.")
    if already:
        imported.delete()
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    previous = BallotImport.objects.filter(election=election, replaced_by__isnull=True).first()
    record = BallotImport.objects.create(
        election=election,
        sha256=digest,
        papers=total,
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if previous is not None:
        previous.replaced_by = record
        previous.replaced_reason = reason
        previous.save(update_fields=["replaced_by", "replaced_reason"])
    Ballot.objects.bulk_create(
        (
            Ballot(election=election, preferences=list(preferences), source=BallotSource.IMPORTED)
            for preferences, number in sorted(papers.items())
            for _ in range(number)
        ),
        batch_size=2000,
    )
    log_action(
        actor=actor,
        action="election.ballots_imported",
        target=election,
        detail={
            "papers": total,
            "replaced": already,
            "reason": reason,
            "import": record.pk,
            "sha256": digest,
        },
    )
    return total


# The count sheet, for the pages and the CSV -----------------------------------------------------
@dataclass(frozen=True)
class Cell:
    transfer: str  # "+12.34567", "-5.00000", or "" when nothing moved
    total: str


@dataclass(frozen=True)
class SheetRow:
    label: str
    cells: list[Cell]
    elected_at: int | None = None  # the stage, for a candidate
    excluded_at: int | None = None
    is_candidate: bool = True


@dataclass(frozen=True)
class SheetStage:
    number: int
    heading: str  # "First preferences", "Surplus of A", "Exclusion of B"
    elected: list[str]
    excluded: list[str]


@dataclass(frozen=True)
class SheetTie:
    stage: int
    between: list[str]
    decided_by: str  # "stage N" or "lot"
    chosen: str
    outcome: str  # "excluded" or "surplus transferred first"


@dataclass(frozen=True)
class CountSheet:
    seats: int
    valid_papers: int
    quota: str
    elected: list[str]
    stages: list[SheetStage]
    rows: list[SheetRow]  # each candidate, then non-transferable papers and the loss from truncation
    ties: list[SheetTie]
    seed: int | None


def _signed(value: str) -> str:
    number = Decimal(value)
    if number == 0:
        return ""
    return f"+{value}" if number > 0 else value


def _delta(after: str, before: str) -> str:
    change = Decimal(after) - Decimal(before)
    return _signed(f"{change:.5f}")


def _heading(stage: dict[str, Any]) -> str:
    if stage["action"] == stv.SURPLUS:
        return f"Surplus of {stage['candidate']}"
    if stage["action"] == stv.EXCLUSION:
        return f"Exclusion of {stage['candidate']}"
    return "First preferences"


def _tie(tie: dict[str, Any], stages: list[dict[str, Any]]) -> SheetTie:
    made_for = next((stage for stage in stages if stage["stage"] == tie["stage"]), None)
    excluded = made_for is not None and made_for["action"] == stv.EXCLUSION
    return SheetTie(
        stage=tie["stage"],
        between=list(tie["between"]),
        decided_by=tie["decided_by"],
        chosen=tie.get("chosen", ""),
        outcome="excluded" if excluded else "surplus transferred first",
    )


def count_sheet(result: dict[str, Any]) -> CountSheet:
    """The stored count (``as_dict()``) as a table: a row per candidate, a transfer and a total per stage."""
    names: list[str] = list(result["candidates"])
    stages: list[dict[str, Any]] = result["stages"]
    elected_at: dict[str, int] = {}
    excluded_at: dict[str, int] = {}
    for stage in stages:
        for name in stage["elected"]:
            elected_at[name] = stage["stage"]
        for name in stage["excluded"]:
            excluded_at[name] = stage["stage"]
    rows = [
        SheetRow(
            label=name,
            cells=[
                Cell(
                    transfer=_signed(stage.get("transfers", {}).get(name, "0.00000")),
                    total=stage["totals"][name],
                )
                for stage in stages
            ],
            elected_at=elected_at.get(name),
            excluded_at=excluded_at.get(name),
        )
        for name in names
    ]
    for key, label in (("non_transferable", "Non-transferable papers"), ("loss", "Loss from truncation")):
        cells, before = [], "0.00000"
        for stage in stages:
            cells.append(Cell(transfer=_delta(stage[key], before), total=stage[key]))
            before = stage[key]
        rows.append(SheetRow(label=label, cells=cells, is_candidate=False))
    return CountSheet(
        seats=result["seats"],
        valid_papers=result["valid_papers"],
        quota=result["quota"],
        elected=list(result["elected"]),
        stages=[
            SheetStage(
                number=stage["stage"],
                heading=_heading(stage),
                elected=list(stage["elected"]),
                excluded=list(stage["excluded"]),
            )
            for stage in stages
        ],
        rows=rows,
        ties=[_tie(tie, stages) for tie in result.get("ties", [])],
        seed=result.get("seed"),
    )


CSV_HEADER = [
    "Stage",
    "Action",
    "Row",
    "Transfer",
    "Total",
    "Elected at this stage",
    "Excluded at this stage",
]


def count_sheet_csv_rows(sheet: CountSheet) -> list[list[Any]]:
    """One line per stage and row of the sheet; votes as exact decimals."""
    lines: list[list[Any]] = []
    for at, stage in enumerate(sheet.stages):
        for row in sheet.rows:
            cell = row.cells[at]
            transfer = Decimal(cell.transfer or "0.00000")
            lines.append(
                [
                    stage.number,
                    stage.heading,
                    row.label,
                    transfer,
                    Decimal(cell.total),
                    "yes" if row.label in stage.elected else "",
                    "yes" if row.label in stage.excluded else "",
                ]
            )
    return lines
