"""Consent to be contacted: the officer's change of a contact's consent, and what the outbox asks of it.

The outbox (awl) cannot import this app, so this module registers two
functions with ``awl.consent`` when the app is ready: one answering whether
the person with an address has consent for a channel now, one recording
that they withdrew it (the one-click unsubscribe link). Both look the
address up among members (their account's address) and contacts; a member
answers for themselves, a contact only when no member has the address (a
contact who became a member is the member now). Consent rows are dated and
the latest per channel wins (``services.current_consents``); nothing here
deletes one.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction

from awl.audit import log_action
from awl.consent import register_consent_check, register_consent_withdrawal
from awl.errors import require
from members.models import Channel, Contact, Member
from members.services import MembershipError, current_consents, record_consents

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_require = partial(require, error=MembershipError, system_may_act=False)


def _members_with(address: str) -> list[Member]:
    return list(Member.objects.filter(user__email__iexact=address).order_by("pk"))


def _contacts_with(address: str) -> list[Contact]:
    return list(Contact.objects.filter(email__iexact=address, erased_at__isnull=True).order_by("pk"))


@register_consent_check
def consent_for_address(address: str, channel: str) -> bool | None:
    """True when whoever has this address agreed to ``channel`` and has not withdrawn it.

    None when nobody has the address; someone known but never asked has not agreed (False).
    """
    if not address:
        return None
    people: list[Member] | list[Contact] = _members_with(address) or _contacts_with(address)
    if not people:
        return None
    return all(current_consents(person).get(channel) is True for person in people)


@register_consent_withdrawal
@transaction.atomic
def withdraw_for_address(address: str, channel: str, source: str) -> None:
    """Record a withdrawal of ``channel`` consent for every member and contact with the address, audited.

    An address nobody has, or a channel that is not one, changes nothing; the caller is not told which.
    """
    if not address or channel not in Channel.values:
        return
    people: list[Member | Contact] = [*_members_with(address), *_contacts_with(address)]
    for person in people:
        if record_consents(person=person, consents={channel: False}, source=source):
            log_action(
                actor=None,
                action="consent.withdrawn",
                target=person,
                detail={"channel": channel, "source": source},
            )


@transaction.atomic
def change_contact_consents(
    *, actor: User, contact: Contact, consents: dict[str, bool], source: str
) -> list[str]:
    """An officer who may manage the contact records the consent they gave or withdrew; returns the
    channels that changed. Each change is a new dated row with its source ("told us by phone")."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _require(
        actor, "members.manage_contact", contact, "You can only change contacts of a branch you organise."
    )
    if contact.erased_at is not None:
        raise MembershipError("This contact's personal data was erased.")
    source = " ".join(source.split())
    if not source:
        raise MembershipError("Say how the contact told us.")
    changed = record_consents(person=contact, consents=consents, source=source[:100])
    if changed:
        log_action(
            actor=actor,
            action="contact.consents_changed",
            target=contact,
            detail={"consents": {channel: consents[channel] for channel in changed}, "source": source[:100]},
        )
    return changed
