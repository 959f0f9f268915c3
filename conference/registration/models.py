"""The annual conference and everything up to its debates.

Who may vote at a conference is decided from data, as the standing orders
put it (the rule in code: ``conference.registration.selectors``, "Who may
vote"):

1. the register is fixed on the eligibility cut-off date: members in good
   standing on that date (``members.standing``); the snapshot the CAC
   takes after the cut-off records it, and why, once; before it is taken
   the same rule is read from the records as they are;
2. afterwards only the CAC's recorded exceptions (``EligibilityException``,
   each with its reason) add anyone;
3. a member suspended or resigned since loses the vote (a lapse after the
   cut-off does not: dues are judged on the cut-off date);
4. with the *delegates* voting basis only the members each branch chose as
   its delegates (``Delegate``), up to its number in the snapshot
   (``SnapshotBranch.delegates``), vote.

The credential the desk issues at check-in, the electorate of the
conference's elections and the desk's counts all ask that rule when they
decide; ``Registration.entitled`` only keeps the last decision for lists
and e-mails.

One registration per member per conference is a unique constraint (a
cancelled registration is the same row, cancelled, and registering again
revives it); one credential per registration is a one-to-one row.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from awl.codes import new_code
from members.models import Branch, Member


class VotingBasis(models.TextChoices):
    ALL_MEMBERS = "all_members", "Every member in good standing on the cut-off date"
    DELEGATES = "delegates", "Delegates elected by branches"


class Rounding(models.TextChoices):
    DOWN = "down", "rounded down"
    UP = "up", "rounded up"


class Conference(models.Model):
    year = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    venue = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    city = models.CharField(max_length=100)
    registration_opens_at = models.DateTimeField()
    registration_closes_at = models.DateTimeField()
    eligibility_cutoff = models.DateField(
        help_text="Members in good standing on this date are entitled to vote (or count for delegates)."
    )
    capacity = models.PositiveIntegerField(null=True, blank=True)
    unwaged_free = models.BooleanField(default=False, help_text="The unwaged band pays nothing.")
    voting_basis = models.CharField(max_length=12, choices=VotingBasis, default=VotingBasis.ALL_MEMBERS)
    # Delegates: base + (members in good standing / per), rounded; a branch with none sends none.
    delegate_base = models.PositiveSmallIntegerField(default=1)
    delegate_per_members = models.PositiveSmallIntegerField(default=10, validators=[MinValueValidator(1)])
    delegate_rounding = models.CharField(max_length=4, choices=Rounding, default=Rounding.DOWN)
    # Kept under the conference row's lock; the constraint makes registering past capacity impossible.
    registered = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="conference_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="conference_registration_window",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(registered__lte=F("capacity")),
                name="conference_not_over_capacity",
            ),
            models.CheckConstraint(
                condition=Q(delegate_per_members__gte=1), name="conference_delegate_per_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def formula_text(self) -> str:
        if self.voting_basis == VotingBasis.ALL_MEMBERS:
            return f"Every member in good standing on {self.eligibility_cutoff:%-d %B %Y}."
        return (
            f"Each branch with members in good standing on {self.eligibility_cutoff:%-d %B %Y}: "
            f"{self.delegate_base} + (members in good standing ÷ {self.delegate_per_members}), "
            f"{self.get_delegate_rounding_display()}."
        )


class Band(models.TextChoices):
    WAGED = "waged", "Waged"
    LOW_WAGED = "low_waged", "Low-waged"
    UNWAGED = "unwaged", "Unwaged"
    SOLIDARITY = "solidarity", "Solidarity"


class FeeBand(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="fee_bands")
    band = models.CharField(max_length=12, choices=Band)
    amount = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["conference", "amount"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "band"], name="feeband_once_per_conference"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="feeband_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_band_display()}: £{self.amount}"


class Snapshot(models.Model):
    """Who was entitled on the cut-off date, and why, as decided when it was taken."""

    conference = models.OneToOneField(Conference, on_delete=models.PROTECT, related_name="snapshot")
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    voting_basis = models.CharField(max_length=12, choices=VotingBasis)
    cutoff = models.DateField()
    formula = models.CharField(max_length=400)
    grace_days = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"Entitlement snapshot for {self.conference}"


class SnapshotMember(models.Model):
    """One member's standing on the cut-off date, as the snapshot recorded it."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    branch = models.ForeignKey(Branch, null=True, on_delete=models.SET_NULL, related_name="+")
    status_on_cutoff = models.CharField(max_length=20, blank=True)
    paid_up_to = models.DateField(null=True, blank=True)
    good_standing = models.BooleanField()
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["snapshot", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "member"], name="snapshotmember_once"),
        ]

    def __str__(self) -> str:
        return self.reason


class SnapshotBranch(models.Model):
    """A branch's members in good standing on the cut-off date and the delegates that gives it."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="branches")
    branch = models.ForeignKey(Branch, null=True, on_delete=models.SET_NULL, related_name="+")
    branch_name = models.CharField(max_length=100)
    in_good_standing = models.PositiveIntegerField()
    delegates = models.PositiveIntegerField()

    class Meta:
        ordering = ["snapshot", "branch_name"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "branch"], name="snapshotbranch_once")]

    def __str__(self) -> str:
        return f"{self.branch_name}: {self.delegates}"


class EligibilityException(models.Model):
    """The CAC's decision that a member not in good standing on the cut-off may register and vote."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="exceptions")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="conference_exceptions")
    reason = models.CharField(max_length=500)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "member"], name="exception_once_per_member"),
            models.CheckConstraint(condition=~Q(reason=""), name="exception_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Exception for {self.conference}"


class Delegate(models.Model):
    """A member chosen by their branch to vote at a conference whose voting basis is delegates.

    The branch's entitlement (``SnapshotBranch.delegates``) bounds how many it
    may choose; the choosing service counts them under a lock on that row.
    """

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="delegates")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="conference_delegacies")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conference", "branch", "pk"]
        constraints = [models.UniqueConstraint(fields=["conference", "member"], name="delegate_once")]
        indexes = [models.Index(fields=["conference", "branch"], name="delegate_conf_branch_idx")]

    def __str__(self) -> str:
        return f"Delegate to {self.conference}"


class Attendee(models.TextChoices):
    MEMBER = "member", "Member"
    DELEGATE = "delegate", "Branch delegate"
    OBSERVER = "observer", "Observer (non-voting)"
    GUEST = "guest", "Guest (non-voting)"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    CANCELLED = "cancelled", "Cancelled"


class Registration(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="registrations")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="conference_registrations"
    )
    # Observers and guests invited by the CAC may not be members.
    name = models.CharField(max_length=200)
    email = models.EmailField()
    attendee = models.CharField(max_length=10, choices=Attendee, default=Attendee.MEMBER)
    status = models.CharField(
        max_length=10, choices=RegistrationStatus, default=RegistrationStatus.REGISTERED
    )
    fee_band = models.CharField(max_length=12, choices=Band)
    fee_due = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    access_needs = models.TextField(blank=True)
    dietary_needs = models.TextField(blank=True)
    children = models.PositiveSmallIntegerField(default=0, help_text="Children coming to the crèche.")
    children_ages = models.CharField(max_length=100, blank=True)
    needs_bed = models.BooleanField(default=False)
    offers_beds = models.PositiveSmallIntegerField(
        default=0, help_text="Beds offered to comrades in the city."
    )
    first_conference = models.BooleanField(default=False)
    consent_share_needs = models.BooleanField(default=False)
    # The last decision recorded (at registering, the snapshot, an exception, a delegate chosen, check-in),
    # for lists and e-mails; credentials and electorates ask the rule itself (selectors.entitled_members).
    entitled = models.BooleanField(default=False, help_text="May vote, as last decided.")
    entitlement_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    revision = models.PositiveIntegerField(default=1, help_text="Bumped by every change; keys its e-mails.")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hosted_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guests_hosted",
        help_text="Accommodation: the registration whose host offered this person a bed.",
    )

    class Meta:
        ordering = ["conference", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "member"],
                condition=Q(member__isnull=False),
                name="registration_once_per_member",
            ),
            # An erased registration keeps no address, and there may be several of those.
            models.UniqueConstraint(
                F("conference"), Lower("email"), condition=~Q(email=""), name="registration_once_per_email"
            ),
            models.CheckConstraint(
                condition=Q(children=0) | ~Q(children_ages=""), name="registration_children_have_ages"
            ),
            models.CheckConstraint(
                condition=~Q(attendee__in=["member", "delegate"]) | Q(member__isnull=False),
                name="registration_voting_kinds_are_members",
            ),
            models.CheckConstraint(condition=Q(fee_due__gte=0), name="registration_fee_not_negative"),
        ]
        indexes = [models.Index(fields=["conference", "status"], name="registration_conf_status_idx")]

    def __str__(self) -> str:
        return f"{self.name} at {self.conference}"


def new_credential_code() -> str:
    """A voting credential's code (the migrations name this function)."""
    return new_code()


class Credential(models.Model):
    """A voting credential, issued once to an entitled registered member at check-in."""

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="credential")
    code = models.CharField(max_length=8, unique=True, default=new_credential_code)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Credential {self.code}"


class RegistrationPayment(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    paid_on = models.DateField()
    method = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="regpayment_not_zero")]

    def __str__(self) -> str:
        return f"£{self.amount} on {self.paid_on}"


class Duty(models.TextChoices):
    """What a CAC member handles; needs data is shown only to those with the matching duty."""

    ACCESS = "access", "Access needs"
    DIET = "diet", "Dietary needs"
    CRECHE = "creche", "Crèche"
    ACCOMMODATION = "accommodation", "Accommodation"
    DESK = "desk", "Check-in desk"


class CacDuty(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="duties")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cac_duties")
    duty = models.CharField(max_length=16, choices=Duty)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conference", "user", "duty"], name="cacduty_once")]

    def __str__(self) -> str:
        return self.get_duty_display()
