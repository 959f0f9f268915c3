"""Committees, terms of office, meetings, agendas, attendance, minutes and decisions."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from members.models import Member


class CommitteeKind(models.TextChoices):
    NATIONAL = "national", "National committee"
    EXECUTIVE = "executive", "Executive committee"
    OTHER = "other", "Other committee"


class Committee(models.Model):
    """An elected committee and its rules, as data."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=CommitteeKind, default=CommitteeKind.OTHER)
    elected_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elects",
        help_text="The committee that elects this one; empty when conference elects it.",
    )
    notice_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days of notice a meeting must be given."
    )
    agenda_deadline_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days before the meeting by which agenda items are due."
    )
    reminder_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Hours before the meeting that the reminder goes out."
    )
    quorum_minimum = models.PositiveSmallIntegerField(default=3)
    quorum_fraction = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Quorum is the larger of the minimum and this share of current members.",
    )
    default_venue = models.CharField(max_length=200, blank=True)
    default_online_link = models.URLField(blank=True)
    cycle_rule = models.CharField(
        max_length=300,
        blank=True,
        help_text="RFC 5545 recurrence rule, e.g. FREQ=WEEKLY;INTERVAL=6;BYDAY=SA",
    )
    cycle_start = models.DateTimeField(
        null=True, blank=True, help_text="First occurrence; its local time of day is kept."
    )
    meeting_minutes = models.PositiveSmallIntegerField(default=120, help_text="Usual length of a meeting.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_fraction__gte=0) & Q(quorum_fraction__lte=1),
                name="committee_quorum_fraction_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TermRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    SECRETARY = "secretary", "Secretary"
    MINUTES_SECRETARY = "minutes_secretary", "Minutes secretary"
    MEMBER = "member", "Member"


class TermBasis(models.TextChoices):
    ELECTED_AT_CONFERENCE = "conference", "Elected at conference"
    ELECTED_BY_COMMITTEE = "committee", "Elected by a committee"
    CO_OPTED = "co_opted", "Co-opted"
    BY_ELECTION = "by_election", "By-election"


class TermQuerySet(models.QuerySet["Term"]):
    def current(self, on: dt.date | None = None) -> TermQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Term(models.Model):
    """A member's term of office on a committee; current membership is derived from the dates."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="terms")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="committee_terms")
    role = models.CharField(max_length=20, choices=TermRole, default=TermRole.MEMBER)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    basis = models.CharField(max_length=16, choices=TermBasis)
    basis_detail = models.CharField(
        max_length=200, blank=True, help_text="e.g. 'Annual conference 2026' or 'NC meeting of 7 March'."
    )
    end_reason = models.CharField(max_length=200, blank=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "role", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="term_ends_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["committee", "starts_on", "ends_on"], name="term_committee_dates_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.committee}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"


class MeetingKind(models.TextChoices):
    ORDINARY = "ordinary", "Ordinary"
    EXTRA = "extra", "Extra"
    EMERGENCY = "emergency", "Emergency"


class Meeting(models.Model):
    """One meeting of a committee; times stored in UTC, shown in Europe/London."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(blank=True)
    status = models.CharField(max_length=10, choices=MeetingStatus, default=MeetingStatus.SCHEDULED)
    kind = models.CharField(max_length=10, choices=MeetingKind, default=MeetingKind.ORDINARY)
    emergency_reason = models.CharField(max_length=500, blank=True)
    occurrence = models.DateTimeField(
        null=True, blank=True, help_text="The cycle occurrence this meeting was generated for."
    )
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: bumped on every change.")
    time_version = models.PositiveIntegerField(
        default=0, help_text="Bumped when the date, time or venue moves; notices are per version."
    )
    created_at = models.DateTimeField(default=timezone.now)
    called_at = models.DateTimeField(default=timezone.now, help_text="When notice of it could first go out.")
    agenda_published_at = models.DateTimeField(null=True, blank=True)
    agenda_prepared_at = models.DateTimeField(
        null=True, blank=True, help_text="When the standard order of business was built."
    )
    agenda_version = models.PositiveIntegerField(
        default=0, help_text="Bumped when a published agenda gains an item; a new agenda notice per version."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
            models.UniqueConstraint(
                fields=["committee", "occurrence"],
                condition=Q(occurrence__isnull=False),
                name="meeting_one_per_occurrence",
            ),
            models.CheckConstraint(
                condition=~Q(kind="emergency") | ~Q(emergency_reason=""),
                name="meeting_emergency_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["committee", "starts_at"], name="meeting_committee_start_idx")]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.committee} on {local:%a %d %b %Y %H:%M}"

    @property
    def uid(self) -> str:
        """Stable iCalendar UID: moves and cancellations update the same event."""
        return f"meeting-{self.pk}@awl"


class AgendaSection(models.TextChoices):
    APOLOGIES = "apologies", "Apologies"
    MINUTES = "minutes", "Minutes of the last meeting"
    MATTERS_ARISING = "matters_arising", "Matters arising"
    REPORTS = "reports", "Reports"
    CORRESPONDENCE = "correspondence", "Correspondence"
    MOTIONS = "motions", "Motions"
    AOB = "aob", "Any other business"
    NEXT_MEETING = "next_meeting", "Date of next meeting"


STANDARD_ORDER = list(AgendaSection)


class AgendaItem(models.Model):
    """One item on a meeting's agenda, in order."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    section = models.CharField(max_length=20, choices=AgendaSection)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agendaitem_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


def paper_upload_to(instance: Paper, filename: str) -> str:
    return f"papers/{instance.item.meeting_id}/{secrets.token_hex(8)}-{filename}"


class Paper(models.Model):
    """A document attached to an agenda item."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=paper_upload_to)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.title


class ApologyChannel(models.TextChoices):
    LINK = "link", "Link in the notice"
    SITE = "site", "On the site"
    SECRETARY = "secretary", "Recorded by the secretary"


class Apology(models.Model):
    """A committee member's apologies for a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="apologies")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="apologies")
    channel = models.CharField(max_length=10, choices=ApologyChannel)
    note = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at"]
        verbose_name_plural = "apologies"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="apology_once_per_meeting")]

    def __str__(self) -> str:
        return f"Apologies for {self.meeting}"


class Attendance(models.Model):
    """Whether a committee member was present, recorded by the secretary on the day."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")
    present = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{'Present' if self.present else 'Absent'} at {self.meeting}"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CIRCULATED = "circulated", "Circulated to the committee"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


class Minutes(models.Model):
    """The minutes of a meeting, from draft to published."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField()
    status = models.CharField(max_length=12, choices=MinutesStatus, default=MinutesStatus.DRAFT)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    circulated_at = models.DateTimeField(null=True, blank=True)
    circulation_version = models.PositiveIntegerField(default=0)
    approved_at_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_minutes"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"


class Decision(models.Model):
    """A decision recorded against an agenda item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    text = models.TextField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting__starts_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ActionPoint(models.Model):
    """Something someone agreed to do, carried forward until done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_points")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_points"
    )
    text = models.TextField()
    owner = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_points"
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class NoticeKind(models.TextChoices):
    NOTICE = "notice", "Notice of meeting"
    AGENDA = "agenda", "Agenda published"
    REMINDER = "reminder", "Reminder"
    MOVED = "moved", "Meeting moved"
    CANCELLED = "cancelled", "Meeting cancelled"
    MINUTES = "minutes", "Minutes circulated"


class NoticeDispatch(models.Model):
    """That the sweep dealt with one notice for one meeting version: sent to recipients, or skipped.

    Unique per (meeting, kind, version), so a sweep run twice, or two sweeps
    at once, write each notice once; the per-recipient rows are outbox
    messages keyed on the same triple plus the recipient.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="dispatches")
    kind = models.CharField(max_length=10, choices=NoticeKind)
    version = models.PositiveIntegerField()
    swept_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)
    skipped = models.BooleanField(default=False)
    skip_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-swept_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind", "version"], name="dispatch_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.meeting} (v{self.version})"


class CalendarToken(models.Model):
    """A member's private, revocable calendar feed address."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="calendar_tokens")
    token = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed ({'revoked' if self.revoked_at else 'active'})"
