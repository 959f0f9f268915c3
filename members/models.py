"""People, branches, membership status, dues and roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Max, OuterRef, Q, Subquery, Value, When
from django.utils import timezone


class Branch(models.Model):
    """A local branch of the organisation in one city."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    city = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "branches"

    def __str__(self) -> str:
        return self.name


class MemberStatus(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    MEMBER = "member", "Member"
    LAPSED = "lapsed", "Lapsed"
    RESIGNED = "resigned", "Resigned"
    SUSPENDED = "suspended", "Suspended"


# The status lifecycle: which change may follow which. Admission is through an
# approved application; rejoining after resignation is a fresh application.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    MemberStatus.APPLICANT: {MemberStatus.MEMBER},
    MemberStatus.MEMBER: {MemberStatus.LAPSED, MemberStatus.RESIGNED, MemberStatus.SUSPENDED},
    MemberStatus.LAPSED: {MemberStatus.MEMBER, MemberStatus.RESIGNED},
    MemberStatus.SUSPENDED: {MemberStatus.MEMBER, MemberStatus.RESIGNED},
    MemberStatus.RESIGNED: {MemberStatus.APPLICANT},
}


class DuesBand(models.TextChoices):
    WAGED = "waged", "Waged"
    LOW_WAGED = "low_waged", "Low-waged"
    UNWAGED = "unwaged", "Unwaged"


class UnionRole(models.TextChoices):
    NONE = "", "None"
    REP = "rep", "Rep"
    SHOP_STEWARD = "shop_steward", "Shop steward"
    BRANCH_OFFICER = "branch_officer", "Branch officer"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    SMS = "sms", "Text message"
    POST = "post", "Post"


def grace_cutoff(on: dt.date) -> dt.date:
    """The earliest paid-up-to date that still counts as in good standing on ``on``."""
    return on - dt.timedelta(days=settings.AWL_DUES_GRACE_DAYS)


class MemberQuerySet(models.QuerySet["Member"]):
    def with_standing(self, on: dt.date | None = None) -> MemberQuerySet:
        """Annotate status on the date (``status_on``), dues paid up to on the date (``paid_to_on``),
        and good standing (``good_standing``): the one rule of members/standing.py, as SQL."""
        on = on or timezone.localdate()
        status_on = (
            StatusChange.objects.filter(member=OuterRef("pk"), effective_on__lte=on)
            .order_by("-effective_on", "-recorded_at", "-pk")
            .values("status")[:1]
        )
        paid_to = (
            Payment.objects.filter(member=OuterRef("pk"), paid_on__lte=on)
            .values("member")
            .annotate(latest=Max("covers_to"))
            .values("latest")[:1]
        )
        cutoff = grace_cutoff(on)
        return self.annotate(
            status_on=Subquery(status_on),
            paid_to_on=Subquery(paid_to, output_field=models.DateField()),
            good_standing=Case(
                When(
                    Q(status_on=MemberStatus.MEMBER) & (Q(paid_to_on__gte=cutoff) | Q(dues_from__gt=cutoff)),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def in_good_standing(self, on: dt.date | None = None) -> MemberQuerySet:
        return self.with_standing(on).standing_is(good=True)

    def standing_is(self, *, good: bool) -> MemberQuerySet:
        """Filter a queryset already annotated by ``with_standing``."""
        return self.filter(good_standing=good)

    def not_erased(self) -> MemberQuerySet:
        return self.filter(erased_at__isnull=True)


class Member(models.Model):
    """One person's membership, one per user account, from application onwards."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member")
    full_name = models.CharField(max_length=150)
    preferred_name = models.CharField(max_length=80, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="members")
    status = models.CharField(max_length=16, choices=MemberStatus, default=MemberStatus.APPLICANT)
    joined_on = models.DateField(null=True, blank=True)
    dues_from = models.DateField(
        null=True,
        blank=True,
        help_text="Dues run from this date: admission, or reinstatement after a lapse.",
    )
    dues_band = models.CharField(max_length=16, choices=DuesBand, default=DuesBand.WAGED)
    workplace = models.CharField(max_length=150, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    trade_union = models.CharField(max_length=100, blank=True)
    union_role = models.CharField(max_length=20, choices=UnionRole, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "pk"]
        indexes = [
            models.Index(fields=["branch", "status"], name="member_branch_status_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name

    @property
    def email(self) -> str:
        return self.user.email


class StatusChange(models.Model):
    """A dated change of membership status: the member's history."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=16, choices=MemberStatus)
    effective_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["effective_on", "recorded_at", "pk"]
        indexes = [models.Index(fields=["member", "effective_on"], name="statuschange_member_idx")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.effective_on}"


class DuesRate(models.Model):
    """The monthly dues for a band, from a date."""

    band = models.CharField(max_length=16, choices=DuesBand)
    monthly_amount = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    valid_from = models.DateField()

    class Meta:
        ordering = ["band", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["band", "valid_from"], name="duesrate_band_from_unique"),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="duesrate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_band_display()}: £{self.monthly_amount}/month from {self.valid_from}"


class PaymentMethod(models.TextChoices):
    STANDING_ORDER = "standing_order", "Standing order"
    CASH = "cash", "Cash"
    CARD_ELSEWHERE = "card_elsewhere", "Card (taken elsewhere)"


class Payment(models.Model):
    """Dues paid by a member, recorded by a treasurer.

    Each payment buys whole months at the member's band rate; ``covers_to`` is
    the member's paid-up-to date once this payment is counted.
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField()
    amount = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    method = models.CharField(max_length=20, choices=PaymentMethod)
    months = models.PositiveSmallIntegerField()
    covers_to = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(months__gt=0), name="payment_months_positive"),
        ]
        indexes = [models.Index(fields=["member", "paid_on"], name="payment_member_paid_idx")]

    def __str__(self) -> str:
        return f"£{self.amount} on {self.paid_on}"


class ApplicationDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Application(models.Model):
    """A person's application to join, decided by their branch organiser."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="applications")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="applications")
    statement = models.TextField(blank=True, help_text="Why they want to join (optional).")
    agrees_with_aims = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(
        max_length=10, choices=ApplicationDecision, default=ApplicationDecision.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    # Suspension follows the person: set when the applicant left while suspended (or is suspended now)
    # under this record, their own or another account's with the same e-mail address. Only the national
    # office decides such an application, seeing that record's history; the branch organiser cannot.
    left_suspended_as = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The record under which the applicant left while suspended: the national office decides.",
    )

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(decision="pending"),
                name="application_one_pending_per_member",
            ),
            models.CheckConstraint(condition=Q(agrees_with_aims=True), name="application_agrees_with_aims"),
        ]

    def __str__(self) -> str:
        return f"Application #{self.pk} to {self.branch}"


class Contact(models.Model):
    """A sympathiser or friend: someone we know who is not (yet) a member."""

    full_name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    city = models.CharField(max_length=100, blank=True)
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    how_met = models.CharField("how they met us", max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    became_member = models.OneToOneField(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="was_contact"
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=~Q(email=""),
                name="contact_email_unique",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class Consent(models.Model):
    """A dated record of consent to contact on one channel; the latest per channel wins."""

    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    channel = models.CharField(max_length=10, choices=Channel)
    granted = models.BooleanField()
    recorded_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=100, blank=True, help_text="Where it was given: a form, an import.")

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(contact__isnull=True))
                | (Q(member__isnull=True) & Q(contact__isnull=False)),
                name="consent_for_one_person",
            )
        ]

    def __str__(self) -> str:
        verb = "gave" if self.granted else "withdrew"
        return f"{verb} {self.get_channel_display()} consent on {self.recorded_at:%Y-%m-%d}"


class Role(models.TextChoices):
    BRANCH_ORGANISER = "branch_organiser", "Branch organiser"
    BRANCH_TREASURER = "branch_treasurer", "Branch treasurer"
    DAYSCHOOL_ORGANISER = "dayschool_organiser", "Day-school organiser"
    CAC = "cac", "Conference arrangements committee"
    COMMITTEE_SECRETARY = "committee_secretary", "Committee secretary"
    NATIONAL_OFFICE = "national_office", "National office"


# Sets for membership tests; constraints use them sorted, so migrations are stable
# whatever the order a set iterates in (string hashing varies between processes).
BRANCH_ROLES = {Role.BRANCH_ORGANISER, Role.BRANCH_TREASURER}
SCOPED_ROLES = {Role.COMMITTEE_SECRETARY}


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def current(self, on: dt.date | None = None) -> RoleAssignmentQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class RoleAssignment(models.Model):
    """A role a user holds, for a branch or another object (a committee), between dates.

    Branch roles name the branch; scoped roles (committee secretary) name
    their object generically, so apps built later plug in unchanged.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=Role)
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments"
    )
    scope_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    scope_id = models.PositiveBigIntegerField(null=True, blank=True)
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=sorted(r.value for r in BRANCH_ROLES), branch__isnull=False)
                | (~Q(role__in=sorted(r.value for r in BRANCH_ROLES)) & Q(branch__isnull=True)),
                name="role_branch_iff_branch_role",
            ),
            models.CheckConstraint(
                condition=Q(
                    role__in=sorted(r.value for r in SCOPED_ROLES),
                    scope_type__isnull=False,
                    scope_id__isnull=False,
                )
                | (
                    ~Q(role__in=sorted(r.value for r in SCOPED_ROLES))
                    & Q(scope_type__isnull=True, scope_id__isnull=True)
                ),
                name="role_scope_iff_scoped_role",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="role_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"], name="role_user_role_idx")]

    def __str__(self) -> str:
        where = f" ({self.branch})" if self.branch_id else ""
        return f"{self.get_role_display()}{where}"


class LapseWarning(models.Model):
    """That a member was warned their dues are overdue, once per paid-up-to date."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="lapse_warnings")
    paid_up_to = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "paid_up_to"], name="lapsewarning_once_per_period")
        ]

    def __str__(self) -> str:
        return f"Lapse warning for {self.member_id} (paid to {self.paid_up_to})"


class ImportBatch(models.Model):
    """An uploaded spreadsheet of members and contacts, validated whole before it is applied."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        APPLIED = "applied", "Applied"
        DISCARDED = "discarded", "Discarded"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=200)
    content = models.TextField(help_text="Cleared once applied or discarded.")
    state = models.CharField(max_length=10, choices=State, default=State.PREVIEWED)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"
