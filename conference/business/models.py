"""Conference business: the rules for motions, motions and amendments (proposals), rulings,
composites and outcomes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from conference.registration.models import Conference
from members.models import Branch, Member


class BusinessRules(models.Model):
    """A conference's rules for motions and amendments (one row per conference)."""

    conference = models.OneToOneField(Conference, on_delete=models.CASCADE, related_name="business_rules")
    motions_deadline = models.DateTimeField()
    amendments_deadline = models.DateTimeField()
    word_limit = models.PositiveIntegerField(default=500)
    amendment_word_limit = models.PositiveIntegerField(default=150)
    amendments_to_amendments = models.BooleanField(default=False)
    order_paper_published_at = models.DateTimeField(null=True, blank=True)
    cac_report_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "business rules"
        constraints = [
            models.CheckConstraint(
                condition=Q(amendments_deadline__gte=F("motions_deadline")),
                name="business_amendments_after_motions",
            )
        ]

    def __str__(self) -> str:
        return f"Business rules for {self.conference}"


class ProposerKind(models.TextChoices):
    MEMBER = "member", "A member"
    BRANCH = "branch", "A branch"
    NC = "nc", "The national committee"
    EC = "ec", "The executive committee"


class ItemStatus(models.TextChoices):
    AWAITING_SECONDER = "awaiting_seconder", "Awaiting its seconder"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Ruling(models.TextChoices):
    PENDING = "pending", "Not yet ruled"
    IN_ORDER = "in_order", "In order"
    OUT_OF_ORDER = "out_of_order", "Out of order"
    COMPOSITED = "composited", "Composited"


class Outcome(models.TextChoices):
    CARRIED = "carried", "Carried"
    LOST = "lost", "Lost"
    REMITTED = "remitted", "Remitted"
    REFERRED = "referred", "Referred to the national committee"
    WITHDRAWN = "withdrawn", "Withdrawn"
    FELL = "fell", "Fell"
    NOT_REACHED = "not_reached", "Not reached (guillotined)"


class VoteMethod(models.TextChoices):
    HANDS = "hands", "Show of hands"
    CARD = "card", "Card vote"


class Majority(models.TextChoices):
    SIMPLE = "simple", "Simple majority"
    TWO_THIRDS = "two_thirds", "Two-thirds majority"


class Proposal(models.Model):
    """What motions and amendments share: who proposes, who seconds, the CAC's ruling, the outcome."""

    proposer_kind = models.CharField(max_length=10, choices=ProposerKind)
    proposer = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    branch_meeting_on = models.DateField(
        null=True, blank=True, help_text="The branch meeting that agreed it."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    seconder = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    seconded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ItemStatus)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    ruling = models.CharField(max_length=14, choices=Ruling, default=Ruling.PENDING)
    ruling_reason = models.CharField(max_length=1000, blank=True)
    ruled_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(
        null=True, blank=True, help_text="Debating order on the order paper."
    )
    majority = models.CharField(max_length=10, choices=Majority, default=Majority.SIMPLE)
    outcome = models.CharField(max_length=12, choices=Outcome, blank=True)
    vote_method = models.CharField(max_length=6, choices=VoteMethod, blank=True)
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_against = models.PositiveIntegerField(null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(null=True, blank=True)
    majority_met = models.BooleanField(
        null=True, blank=True, help_text="Computed from the counts, never typed."
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Motion(Proposal):
    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="motions")
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="Markdown.")
    topic = models.CharField(max_length=100, blank=True)
    emergency = models.BooleanField(default=False)
    emergency_reason = models.CharField(max_length=1000, blank=True)
    composite_of = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="composited_into"
    )
    movers_agreed = models.BooleanField(
        default=False, help_text="A composite: the replaced motions' movers agreed."
    )
    carried_text = models.TextField(
        blank=True, help_text="As carried, amendments merged; the CAC may edit it."
    )
    carried_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conference", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(emergency=True) | ~Q(emergency_reason=""), name="motion_emergency_reason"
            ),
            models.UniqueConstraint(
                fields=["conference", "position"],
                condition=Q(position__isnull=False),
                name="motion_position_unique",
            ),
        ]
        indexes = [models.Index(fields=["conference", "ruling"], name="motion_conf_ruling_idx")]

    def __str__(self) -> str:
        return self.title


DASH = "\N{EN DASH}"  # between line numbers, as the order paper prints them


class AmendmentKind(models.TextChoices):
    """Where an amendment acts, by the numbered lines of the text it amends (as on the order paper)."""

    INSERT = "insert", "Insert after line …"
    DELETE = "delete", "Delete lines …"
    REPLACE = "replace", "Replace lines … with …"
    FREE_TEXT = "free_text", "Free text"


POSITIONAL = (AmendmentKind.INSERT, AmendmentKind.DELETE, AmendmentKind.REPLACE)


class Amendment(Proposal):
    """An amendment to a motion (or, with ``parent``, to another amendment's words), by line position.

    ``line_from``/``line_to`` number the lines of the text amended (the motion's, or the parent
    amendment's words), from 1; an insert goes after ``line_from`` (0: before the first line).
    """

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="amendments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="sub_amendments"
    )
    kind = models.CharField(max_length=14, choices=AmendmentKind)
    line_from = models.PositiveIntegerField(null=True, blank=True)
    line_to = models.PositiveIntegerField(null=True, blank=True)
    insert_text = models.TextField(blank=True, help_text="The words inserted, or the replacement.")
    free_text = models.TextField(blank=True)
    accepted = models.BooleanField(null=True, blank=True, help_text="Accepted by the motion's proposer.")

    class Meta:
        ordering = ["motion", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="insert")
                | (Q(line_from__isnull=False, line_to__isnull=True) & ~Q(insert_text="")),
                name="amendment_insert_after_a_line",
            ),
            models.CheckConstraint(
                condition=~Q(kind="delete")
                | Q(line_from__gte=1, line_to__gte=F("line_from"), insert_text=""),
                name="amendment_delete_lines",
            ),
            models.CheckConstraint(
                condition=~Q(kind="replace")
                | (Q(line_from__gte=1, line_to__gte=F("line_from")) & ~Q(insert_text="")),
                name="amendment_replace_lines",
            ),
            models.CheckConstraint(
                condition=~Q(kind="free_text") | ~Q(free_text=""), name="amendment_free_text_has_text"
            ),
        ]

    def __str__(self) -> str:
        return f"Amendment to {self.motion}"

    @property
    def where(self) -> str:
        """Where it acts, as the order paper says it: "Insert after line 3", "Delete lines 2-4"."""
        lines = (
            f"line {self.line_from}"
            if self.line_to in (None, self.line_from)
            else f"lines {self.line_from}{DASH}{self.line_to}"
        )
        if self.kind == AmendmentKind.INSERT:
            return "Insert at the start" if self.line_from == 0 else f"Insert after line {self.line_from}"
        if self.kind == AmendmentKind.DELETE:
            return f"Delete {lines}"
        if self.kind == AmendmentKind.REPLACE:
            return f"Replace {lines} with"
        return "Free text"

    @property
    def words(self) -> str:
        """Its own words, which an amendment to it numbers by line."""
        return self.free_text if self.kind == AmendmentKind.FREE_TEXT else self.insert_text


class Referral(models.Model):
    """A motion conference referred to the national committee, queued until it lands on an NC agenda."""

    motion = models.OneToOneField(Motion, on_delete=models.CASCADE, related_name="referral")
    referred_at = models.DateTimeField(default=timezone.now)
    agenda_item = models.ForeignKey(
        "committees.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    landed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["referred_at", "pk"]
        indexes = [models.Index(fields=["landed_at"], name="referral_landed_idx")]

    def __str__(self) -> str:
        return f"Referral of {self.motion}"
