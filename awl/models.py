"""Cross-cutting records every app writes: the audit trail and the outbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """Who did what to whom, and when; written in the same transaction as the change."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for the system itself (periodic tasks, imports run by a command).",
    )
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


class OutboundMessage(models.Model):
    """One e-mail to one recipient; the row, not the broker message, is the truth."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Idempotency key: the same notice to the same person is queued once.",
    )
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="Text attachments: [{filename, content_type, content}]."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(
        default=timezone.now,
        help_text="A pending message is not tried before this; each failure pushes it back (back-off).",
    )
    group = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="What the mail is about, e.g. 'committee:3': whose secretary sees it if it fails.",
    )
    transactional = models.BooleanField(
        default=True,
        help_text="About the recipient's own booking, registration, meeting or application. Otherwise it "
        "needs their e-mail consent and carries a one-click unsubscribe link.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The sweep's query: pending messages that are due.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.status})"


class RetentionHold(models.Model):
    """National office decided to keep someone past the retention period, for a reason, until a date.

    ``subject`` is the registry's key for the person (``member:12``, ``contact:3``,
    ``guest:a@example.org``); the retention review leaves them out until ``until``.
    """

    subject = models.CharField(max_length=320, db_index=True)
    reason = models.CharField(max_length=500)
    until = models.DateField(help_text="They come back to the review on this date.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"Kept until {self.until:%Y-%m-%d}"
