"""The outbound-mail outbox.

Services call ``queue_email`` inside their transaction: it writes one row
per recipient, protected by a unique key, so a retried service or a sweep
run twice queues the message once. After commit, a Celery task sends it;
the periodic ``send_pending_messages`` sweep picks up anything a lost
broker message, or a broker that was down at commit, left behind.

A failed attempt is retried with back-off: the row's ``next_attempt_at``
moves 1, 4, 16 and 64 minutes on after the first four failures, and the
fifth failure marks it failed for good. Only the sweep retries; nothing
sends a row before its ``next_attempt_at``, so neither a task the broker
delivers twice nor a sweep run early can shorten the back-off. A failed
message is shown to whoever its ``group`` belongs to (a committee's
secretary for ``committee:<pk>``), who can ``resend_message`` it.

Mail is transactional by default: about the person's own booking,
registration, meeting or application, and sent whatever they agreed to.
Anything else (a mailing, an invitation, news) is queued with
``transactional=False``: it is queued only if the recipient has e-mail
consent now (``awl.consent.has_consent``, answered by the app that holds
consent), checked again when it is sent, and it carries ``List-Unsubscribe``
and ``List-Unsubscribe-Post`` (RFC 8058 one-click) headers whose link
withdraws that consent.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from awl.audit import log_action
from awl.consent import EMAIL, has_consent, unsubscribe_url
from awl.models import OutboundMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_FACTOR = 4
WITHHELD = "Not sent: the recipient has no consent to e-mail of this kind (withdrawn after it was queued)."


class OutboxError(Exception):
    """The outbox refused a change (a resend of a sent message); the message is fit to show."""


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failure: 1, 4, 16, 64 minutes."""
    return BACKOFF_BASE * BACKOFF_FACTOR ** max(attempts - 1, 0)


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
    group: str = "",
    transactional: bool = True,
) -> OutboundMessage | None:
    """Queue one e-mail; returns None when a message with this key was already queued,
    or when it is not ``transactional`` and the recipient has no e-mail consent.

    ``attachments`` are text files (an ``.ics``), each a dict with
    ``filename``, ``content_type`` and ``content``. ``group`` ties the mail
    to what it is about (``committee:<pk>``), so a failure reaches the
    people who can act on it. ``transactional=False`` is for anything that
    is not about the recipient's own booking, registration, meeting or
    application: it needs their consent and carries an unsubscribe link
    (also in the context, as ``unsubscribe_url``, for the body's footer).
    """
    if not transactional:
        if not has_consent(to, EMAIL):
            return None
        context = {**context, "unsubscribe_url": unsubscribe_url(to, EMAIL)}
    subject, text, html = render_email(template, context)
    message, created = OutboundMessage.objects.get_or_create(
        key=key,
        defaults={
            "to": to,
            "subject": subject[:200],
            "body_text": text,
            "body_html": html,
            "attachments": attachments or [],
            "group": group,
            "transactional": transactional,
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
    """Send one pending message that is due; safe to call twice or concurrently.

    A message still waiting out its back-off is left alone (False): the
    sweep tries it once it is due.
    """
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboundMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if message is None:
            return False
        if not message.transactional and not has_consent(message.to, EMAIL):
            # Consent withdrawn between queueing and sending: never sent, and not worth a retry.
            message.status = OutboundMessage.Status.FAILED
            message.last_error = WITHHELD
            message.save(update_fields=["status", "last_error"])
            return False
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers=headers_for(message),
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
            else:
                message.next_attempt_at = timezone.now() + backoff(message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("mail send failed", extra={"message_id": message.pk, "attempt": message.attempts})
            return False
        message.status = OutboundMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        return True


class UnfoldedHeader(str):
    """A header value the mail library writes on one line, as it is.

    The library folds a header at 78 characters, and a word longer than that (a link with a token in
    it) it writes as RFC 2047 encoded words, which a mail provider does not read as a link: the
    one-click header would not work. RFC 5322 allows lines of up to 998 characters, so a link stays
    whole on its line. Being a ``str`` it passes through Django's ``EmailMessage`` unchanged; the
    library sees ``name`` and ``fold`` and stores it as its own header object.
    """

    name: str

    def __new__(cls, name: str, value: str) -> UnfoldedHeader:
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def headers_for(message: OutboundMessage) -> dict[str, str]:
    """The message's own headers; a non-transactional one gets the RFC 8058 one-click unsubscribe pair.

    Derived when sending rather than stored, so the outbox keeps no more about the recipient than
    their address, and an erased address yields a link that withdraws nothing of anyone's.
    """
    headers = {"Message-ID": f"<{message.key.replace(' ', '-')}@awl>"}
    if not message.transactional:
        link = f"<{unsubscribe_url(message.to, EMAIL)}>"
        headers["List-Unsubscribe"] = UnfoldedHeader("List-Unsubscribe", link)
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def pending_message_ids(limit: int = 500) -> list[int]:
    """Pending messages whose next attempt is due, longest waiting first."""
    return list(
        OutboundMessage.objects.filter(
            status=OutboundMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# Failed mail, for the people it concerns --------------------------------------------------
def needing_attention(group: str) -> QuerySet[OutboundMessage]:
    """A group's failed messages, and pending ones that have failed at least once, newest first."""
    return OutboundMessage.objects.filter(group=group).filter(
        Q(status=OutboundMessage.Status.FAILED) | Q(status=OutboundMessage.Status.PENDING, attempts__gt=0)
    )


def failed_count(group: str) -> int:
    return OutboundMessage.objects.filter(group=group, status=OutboundMessage.Status.FAILED).count()


@transaction.atomic
def resend_message(*, actor: Any, message: OutboundMessage) -> OutboundMessage:
    """Try a failed (or still retrying) message again now; a sent message is refused.

    A failed message goes back to pending with its attempts reset to 0, so
    it gets the whole back-off schedule again; the earlier count and last
    error are kept in the audit entry. A message still pending has its next
    attempt brought forward to now and keeps its count. The row's last error
    stays until a send succeeds, so the page still shows why it is there.
    The message is handed to a worker after commit.
    """
    message = OutboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status == OutboundMessage.Status.SENT:
        raise OutboxError("That message has already been sent.")
    detail = {"status": message.status, "attempts": message.attempts, "last_error": message.last_error[:500]}
    if message.status == OutboundMessage.Status.FAILED:
        message.status = OutboundMessage.Status.PENDING
        message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    log_action(actor=actor, action="mail.resent", target=message, detail=detail)
    pk = message.pk
    transaction.on_commit(lambda: enqueue_send(pk))
    return message
