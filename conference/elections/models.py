"""Elections: nominations, secret ranked ballots, tellers' paper entries and counts.

Conference elects the national committee; the national committee elects the
executive committee from its members. An election fills ``seats`` places on
``committee`` and is held either at a conference (``conference``: its
electorate is the conference's entitled registrations) or by a committee
(``electing_committee``: its electorate is that committee's members, frozen
when voting opens as ``FrozenElectorate`` and ``ElectionElector`` rows).

**Secrecy.** Who has voted (``VoterRecord``) and what was voted
(``Ballot``) are two tables with nothing in common but the election: no
foreign key between them, no timestamp on either, and both keys are
random UUIDs, so neither the keys nor any column orders one table by the
other, or the voters among themselves (the order of the voter records
would be the order in which paper ballots were handed out). A voter's
receipt code is stored on the ballot only, shown to the voter once when
casting, and published in the list of receipts counted, never beside a
ranking. A ballot's ranking is a list of candidate
(``Nomination``) keys; the count reads them in key order, which is random.

One ballot per voter is the unique constraint on ``VoterRecord`` (election,
member), written in the same transaction as the ballot.

**A limit, documented, not fixed.** PostgreSQL keeps traces the
application does not: the two rows of one online vote are written by the
same transaction (the same ``xmin``), sit at adjacent places in their
tables' heaps and follow each other in the write-ahead log. Someone with
the database files or a superuser connection could link them; no query
the application makes does (see ``conference.elections.services.ballots``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from awl.codes import new_code
from committees.models import Committee
from members.models import Member


class ElectionMethod(models.TextChoices):
    SCOTTISH_STV = "scottish-stv", "Scottish STV"


class BallotOrder(models.TextChoices):
    SURNAME = "surname", "By surname"
    RANDOM = "random", "Random, drawn with a recorded seed"


class Election(models.Model):
    title = models.CharField(max_length=200)
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        related_name="elections",
        help_text="The committee whose seats are filled.",
    )
    conference = models.ForeignKey(
        "conference.Conference",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elections",
        help_text="Held at this conference: its entitled registrations vote.",
    )
    electing_committee = models.ForeignKey(
        Committee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elections_held",
        help_text="Held by this committee: its current members vote, and only they may stand.",
    )
    present_only = models.BooleanField(
        default=False,
        help_text="At a conference: only entitled members checked in at the conference may vote.",
    )
    seats = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(200)])
    method = models.CharField(max_length=20, choices=ElectionMethod, default=ElectionMethod.SCOTTISH_STV)
    nominations_open_at = models.DateTimeField()
    nominations_close_at = models.DateTimeField()
    voting_opens_at = models.DateTimeField()
    voting_closes_at = models.DateTimeField()
    statement_word_limit = models.PositiveSmallIntegerField(default=250, validators=[MinValueValidator(10)])
    self_nomination = models.BooleanField(default=True, help_text="Members may nominate themselves.")
    # The order of the candidates on the ballot paper, published with it; never the ballot names alone.
    ballot_order = models.CharField(max_length=8, choices=BallotOrder, default=BallotOrder.SURNAME)
    ballot_seed = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="For a random order: the seed it was drawn with (drawn by the system).",
    )
    # Appointed by name (conference.rules APPOINT_RETURNING_OFFICER: the CAC for an election at a
    # conference, the electing committee's secretary for a committee's); empty until then.
    returning_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elections_returned",
    )
    returning_officer_appointed_at = models.DateTimeField(null=True, blank=True)
    returning_officer_appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Declared before voting opens: the ballots are cast on paper off this system and come in as one
    # BLT file (capped by the papers recorded as issued). Only such an election takes an import.
    counted_off_system = models.BooleanField(
        default=False,
        help_text="Counted from ballots cast off this system (imported as a BLT file).",
    )
    term_starts_on = models.DateField(help_text="The elected members' terms of office start on this day.")
    term_ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The count the returning officer confirmed; confirming creates the terms of office.
    confirmed_count = models.OneToOneField(
        "conference.ElectionCount", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The returning officer accepted the tellers' reconciled paper entries (conference.ballots):
    # the agreed papers became ballots, once; no paper is entered after this.
    papers_accepted_at = models.DateTimeField(null=True, blank=True)
    papers_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-voting_opens_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(conference__isnull=False) & Q(electing_committee__isnull=True))
                | (Q(conference__isnull=True) & Q(electing_committee__isnull=False)),
                name="election_held_at_conference_or_by_committee",
            ),
            models.CheckConstraint(
                condition=Q(nominations_close_at__gt=F("nominations_open_at"))
                & Q(voting_opens_at__gte=F("nominations_close_at"))
                & Q(voting_closes_at__gt=F("voting_opens_at")),
                name="election_windows_in_order",
            ),
            models.CheckConstraint(
                condition=Q(term_ends_on__isnull=True) | Q(term_ends_on__gt=F("term_starts_on")),
                name="election_term_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="election_has_seats"),
        ]

    def __str__(self) -> str:
        return self.title


class NominationStatus(models.TextChoices):
    PENDING = "pending", "Awaiting the nominee"
    ACCEPTED = "accepted", "Accepted: a candidate"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


LIVE_NOMINATION = Q(status__in=[NominationStatus.PENDING, NominationStatus.ACCEPTED])


def new_nomination_token() -> str:
    """The secret in a nominee's accept/decline link (the migrations name this function)."""
    return uuid.uuid4().hex


class Nomination(models.Model):
    """A member nominated for an election; an accepted nomination is a candidate."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="nominations")
    nominee = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="nominations")
    # Self-nomination: proposer is the nominee and there is no seconder.
    proposer = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    seconder = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The name as it stands on the ballot paper (kept if the member is later erased): the member's own
    # name, or a variant the returning officer approved (conference.elections.services.nominations).
    ballot_name = models.CharField(max_length=200)
    # A variant the nominee asked for, awaiting the returning officer ("" when none is waiting).
    requested_ballot_name = models.CharField(max_length=200, blank=True)
    ballot_name_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The member's name, surname first and folded, for the ballot's surname order (kept if erased).
    sort_name = models.CharField(max_length=200, blank=True)
    statement = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=NominationStatus, default=NominationStatus.PENDING)
    token = models.CharField(max_length=32, unique=True, default=new_nomination_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["election", "ballot_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "nominee"], condition=LIVE_NOMINATION, name="nomination_once_live"
            ),
            models.CheckConstraint(
                condition=Q(seconder__isnull=True) | ~Q(seconder=F("proposer")),
                name="nomination_seconder_not_proposer",
            ),
            models.CheckConstraint(
                condition=~Q(proposer=F("nominee")) | Q(seconder__isnull=True),
                name="nomination_self_has_no_seconder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_name} for {self.election}"

    @property
    def self_nominated(self) -> bool:
        return self.proposer_id == self.nominee_id


class VotedBy(models.TextChoices):
    ONLINE = "online", "Online"
    PAPER = "paper", "Paper ballot issued"


class VoterRecord(models.Model):
    """That a member has voted (or was issued a paper ballot) in an election: never what, never when.

    Its key is a random UUID: a sequence would order the records, and so the issue of paper ballots.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="voter_records")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8, choices=VotedBy)

    class Meta:
        ordering = ["election", "member"]
        constraints = [
            models.UniqueConstraint(fields=["election", "member"], name="voterrecord_one_per_voter")
        ]

    def __str__(self) -> str:
        return f"Voted in {self.election}"


class BallotSource(models.TextChoices):
    ONLINE = "online", "Cast online"
    PAPER = "paper", "Paper, entered by two tellers"
    IMPORTED = "imported", "Imported from a BLT file"


def new_receipt_code() -> str:
    """A voter's receipt (the migrations name this function)."""
    return new_code()


class Ballot(models.Model):
    """One ballot paper's ranking: candidates' Nomination keys, first preference first.

    No voter, no timestamp, a random key: see the module docstring.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballots")
    preferences = ArrayField(models.PositiveIntegerField())
    source = models.CharField(max_length=8, choices=BallotSource)
    receipt = models.CharField(max_length=16, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["election", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=BallotSource.ONLINE) | Q(receipt__isnull=False),
                name="ballot_online_has_receipt",
            )
        ]

    def __str__(self) -> str:
        return "A ballot"


class Teller(models.Model):
    """A teller appointed by the returning officer to enter paper ballots."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="tellers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    appointed_at = models.DateTimeField(default=timezone.now)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "user"], name="teller_once")]

    def __str__(self) -> str:
        return f"Teller for {self.election}"


class PaperEntry(models.Model):
    """One teller's entry of one numbered paper ballot; two tellers enter every paper.

    Reconciliation compares the two entries of each paper number; agreed papers
    become ballots when the returning officer accepts the reconciliation.
    """

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="paper_entries")
    teller = models.ForeignKey(Teller, on_delete=models.CASCADE, related_name="entries")
    paper_number = models.PositiveIntegerField()
    preferences = ArrayField(models.PositiveIntegerField(), blank=True)
    spoilt = models.BooleanField(default=False)
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["election", "paper_number", "teller"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "teller", "paper_number"], name="paperentry_once_per_teller"
            )
        ]

    def __str__(self) -> str:
        return f"Paper {self.paper_number}"


class ElectionCount(models.Model):
    """One run of the count: the result as data (conference.stv's CountResult.as_dict())."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="counts")
    run_at = models.DateTimeField(default=timezone.now)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    seed = models.BigIntegerField(help_text="The seed of the lot, should a tie need one.")
    ballots = models.PositiveIntegerField()
    # Why the returning officer counted again (required for every count after the first).
    reason = models.CharField(max_length=500, blank=True)
    result = models.JSONField()
    # The candidates elected, as Nomination keys in order of election.
    elected = ArrayField(models.PositiveIntegerField())

    class Meta:
        ordering = ["election", "-run_at"]

    def __str__(self) -> str:
        return f"Count of {self.election}"


class FrozenElectorate(models.Model):
    """That a committee's election has its electorate fixed: who sat on the committee when voting opened.

    Written once, by the first reader after ``voting_opens_at`` or the sweep at opening
    (``conference.elections.services.electorates``); its one-to-one key on the election is what
    makes two at once write it once. The members are its ``ElectionElector`` rows.
    """

    election = models.OneToOneField(Election, on_delete=models.CASCADE, related_name="frozen_electorate")
    frozen_at = models.DateTimeField(default=timezone.now)
    on = models.DateField(help_text="The day whose committee members were taken: the day voting opened.")
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"Electorate of {self.election}"


class ElectionElector(models.Model):
    """One member of a committee election's frozen electorate."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="electors")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["election", "member"]
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="elector_once")]

    def __str__(self) -> str:
        return f"Elector in {self.election}"


class BallotImport(models.Model):
    """One BLT file imported into an election: kept, with its hash, even once a later file replaces it."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="imports")
    sha256 = models.CharField(max_length=64)
    papers = models.PositiveIntegerField()
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    replaced_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        # One current (unreplaced) import per election: import_blt holds the election row locked.
        ordering = ["election", "imported_at", "pk"]

    def __str__(self) -> str:
        return f"Import of {self.papers} papers into {self.election}"
