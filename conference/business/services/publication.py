"""The CAC's conference business settings and publication: the rules for motions, publishing the
CAC report and the order paper to registered members.

One transaction per function, keyword-only arguments, an ``actor``, an audit
entry and ``ConferenceError`` with a message fit to show; mail through the
outbox in the same transaction, one message per registration, keyed so a
second publication never mails twice.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from awl.audit import log_action
from awl.outbox import queue_email
from conference.business.services.motions import _require_cac
from conference.models import BusinessRules, Conference, Registration, RegistrationStatus
from conference.programme.notices import _url
from conference.registration.services import ConferenceError

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def save_rules(
    *,
    actor: User | None,
    conference: Conference,
    motions_deadline: dt.datetime,
    amendments_deadline: dt.datetime,
    word_limit: int,
    amendment_word_limit: int,
    amendments_to_amendments: bool,
) -> BusinessRules:
    """Create or change the conference's rules for motions and amendments."""
    _require_cac(actor, conference, "Only the conference arrangements committee sets the business rules.")
    if amendments_deadline < motions_deadline:
        raise ConferenceError("The amendments deadline cannot come before the motions deadline.")
    if timezone.localdate(motions_deadline) > conference.starts_on:
        raise ConferenceError("The motions deadline must come before the conference.")
    if word_limit < 1 or amendment_word_limit < 1:
        raise ConferenceError("Word limits are at least one word.")
    rules, created = BusinessRules.objects.select_for_update().get_or_create(
        conference=conference,
        defaults={"motions_deadline": motions_deadline, "amendments_deadline": amendments_deadline},
    )
    rules.motions_deadline = motions_deadline
    rules.amendments_deadline = amendments_deadline
    rules.word_limit = word_limit
    rules.amendment_word_limit = amendment_word_limit
    rules.amendments_to_amendments = amendments_to_amendments
    rules.save()
    log_action(
        actor=actor,
        action="conference.business_rules_set",
        target=conference,
        detail={"created": created, "word_limit": word_limit, "amendment_word_limit": amendment_word_limit},
    )
    return rules


@transaction.atomic
def publish_business(*, actor: User | None, conference: Conference) -> BusinessRules:
    """Publish the CAC report and the order paper; registered members are told once each."""
    _require_cac(actor, conference, "Only the conference arrangements committee publishes the order paper.")
    rules = BusinessRules.objects.select_for_update().filter(conference=conference).first()
    if rules is None:
        raise ConferenceError("Set the business rules first.")
    from conference.business.order_paper import order_paper

    if not order_paper(conference):
        raise ConferenceError("Nothing is on the order paper yet: set the order of debate first.")
    now = timezone.now()
    rules.order_paper_published_at = rules.order_paper_published_at or now
    rules.cac_report_published_at = rules.cac_report_published_at or now
    rules.save(update_fields=["order_paper_published_at", "cac_report_published_at"])
    registrations = Registration.objects.filter(conference=conference, status=RegistrationStatus.REGISTERED)
    sent = 0
    for registration in registrations.only("pk", "email", "name"):
        if not registration.email:
            continue
        made = queue_email(
            key=f"conference-{conference.pk}-order-paper-{registration.pk}",
            to=registration.email,
            template="conference-order-paper",
            context={
                "conference": conference,
                "name": registration.name,
                "order_paper_url": _url("conference:order_paper", conference.slug),
                "cac_report_url": _url("conference:cac_report", conference.slug),
            },
            group=f"conference:{conference.pk}",
        )
        sent += made is not None
    log_action(
        actor=actor, action="conference.business_published", target=conference, detail={"mailed": sent}
    )
    return rules
