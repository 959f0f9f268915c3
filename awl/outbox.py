"""The outbound-mail outbox.

Services call ``queue_email`` inside their transaction: it writes one row
per recipient, protected by a unique key, so a retried service or a sweep
run twice queues the message once. After commit, a Celery task sends it;
the periodic ``send_pending_messages`` sweep picks up anything a lost
broker message, or a broker that was down at commit, left behind.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from awl.models import OutboundMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Render ``emails/<template>-subject.txt``, ``-body.txt`` and ``-body.html``."""
    context = {"site_url": settings.SITE_URL, **context}
    # A subject is one line whatever the template's layout.
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", context).split())
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)
    return subject, text, html


def queue_email(
    *,
    key: str,
    to: str,
    template: str,
    context: dict[str, Any],
    attachments: list[dict[str, str]] | None = None,
) -> OutboundMessage | None:
    """Queue one e-mail; returns None when a message with this key was already queued.

    ``attachments`` are text files (an ``.ics``), each a dict with
    ``filename``, ``content_type`` and ``content``.
    """
    subject, text, html = render_email(template, context)
    message, created = OutboundMessage.objects.get_or_create(
        key=key,
        defaults={
            "to": to,
            "subject": subject[:200],
            "body_text": text,
            "body_html": html,
            "attachments": attachments or [],
        },
    )
    if not created:
        return None
    transaction.on_commit(lambda: enqueue_send(message.pk))
    return message


def enqueue_send(message_id: int) -> None:
    """Hand a committed message to a worker; if the broker is down, leave it to the sweep.

    Runs after the service's commit, so raising here would fail a request
    whose work is already done; the row stays pending and
    ``send_pending_messages`` sends it once the broker is back.
    """
    from awl.tasks import send_message  # the task module imports this one

    try:
        send_message.delay(message_id)
    except Exception:  # kombu's OperationalError, or whatever else the broker client raises
        logger.warning(
            "could not hand the message to the broker; it stays pending for the sweep",
            extra={"message_id": message_id},
            exc_info=True,
        )


def send_message_now(message_id: int) -> bool:
    """Send one pending message; safe to call twice or concurrently."""
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboundMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return False
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": f"<{message.key.replace(' ', '-')}@awl>"},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        for attachment in message.attachments:
            email.attach(attachment["filename"], attachment["content"], attachment["content_type"])
        message.attempts += 1
        try:
            email.send()
        except Exception as exc:  # any transport error is recorded and retried later
            message.last_error = str(exc)[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboundMessage.Status.FAILED
            message.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("mail send failed", extra={"message_id": message.pk, "attempt": message.attempts})
            return False
        message.status = OutboundMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        return True


def pending_message_ids(limit: int = 500) -> list[int]:
    return list(
        OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
