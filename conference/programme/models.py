"""The conference programme: its sessions (the timetable) and its documents (bulletins, reports,
discussion documents), each published to an audience at a set time."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from conference.registration.models import Conference


class SessionKind(models.TextChoices):
    PLENARY = "plenary", "Plenary"
    WORKSHOP = "workshop", "Workshop"
    MEETING = "meeting", "Meeting"


class Session(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=SessionKind, default=SessionKind.PLENARY)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.CharField(max_length=100, blank=True)
    chair = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at", "room"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title


class DocumentKind(models.TextChoices):
    BULLETIN = "bulletin", "Pre-conference bulletin"
    REPORT = "report", "Report"
    DISCUSSION = "discussion", "Discussion document"


class Audience(models.TextChoices):
    REGISTERED = "registered", "Registered members"
    MEMBERS = "members", "All members"


def document_upload_to(instance: Document, filename: str) -> str:
    return f"conference/{instance.conference_id}/{secrets.token_hex(8)}-{filename}"


class Document(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=DocumentKind)
    audience = models.CharField(max_length=12, choices=Audience, default=Audience.REGISTERED)
    summary = models.TextField(blank=True)
    file = models.FileField(upload_to=document_upload_to, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    publish_on = models.DateTimeField(help_text="It becomes visible, and the notice goes out, at this time.")
    version = models.PositiveIntegerField(default=1, help_text="Bumped when a published document changes.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["publish_on", "title"]

    def __str__(self) -> str:
        return self.title
