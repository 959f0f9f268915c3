"""The members app in the personal-data registry: who a person is, and what this app holds.

``person_for_member``, ``person_for_contact`` and ``person_for_email`` build
the :class:`awl.personal_data.Person` every holding reads. The holding
itself exports and erases the account, the member record and its history,
contacts, consents and roles; payments, status changes and applications
stay (dated and counted) without their free text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.urls import reverse

from awl.personal_data import (
    Erasure,
    Holding,
    Person,
    ReviewCandidate,
    register_holding,
    register_review,
)
from members.models import (
    Application,
    ApplicationDecision,
    Consent,
    Contact,
    ImportBatch,
    Member,
    MemberStatus,
)

User = get_user_model()


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# Who a person is -------------------------------------------------------------------------------
def person_for_member(member: Member) -> Person:
    user = member.user
    emails = {user.email.lower()} if user.email else set()
    emails |= {e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    emails.discard("")
    # The contact rows that became this member, and any others under one of their addresses.
    same_address = Q(became_member=member)
    for email in emails:
        same_address |= Q(email__iexact=email)
    contacts = set(Contact.objects.filter(same_address).values_list("pk", flat=True))
    return Person(
        kind="member",
        label=member.full_name,
        emails=frozenset(emails),
        member_id=member.pk,
        user_id=user.pk,
        contact_ids=frozenset(contacts),
        targets=frozenset(
            {("members.member", str(member.pk)), ("auth.user", str(user.pk))}
            | {("members.contact", str(pk)) for pk in contacts}
        ),
    )


def person_for_contact(contact: Contact) -> Person:
    if contact.became_member_id is not None:
        return person_for_member(contact.became_member)  # type: ignore[arg-type]
    email = contact.email.lower()
    # Every contact row with the same address is the same person (met twice, in two branches).
    contacts = {contact.pk}
    if email:
        contacts |= set(
            Contact.objects.filter(email__iexact=email, became_member__isnull=True).values_list(
                "pk", flat=True
            )
        )
    return Person(
        kind="contact",
        label=contact.full_name,
        emails=frozenset({email} if email else set()),
        contact_ids=frozenset(contacts),
        targets=frozenset({("members.contact", str(pk)) for pk in contacts}),
    )


def person_for_email(email: str) -> Person:
    """Whoever the office knows by this address: a member, a contact, or else a guest."""
    email = email.strip().lower()
    member = (
        Member.objects.filter(Q(user__email__iexact=email) | Q(user__emailaddress__email__iexact=email))
        .select_related("user")
        .first()
    )
    if member is not None:
        return person_for_member(member)
    contact = Contact.objects.filter(email__iexact=email).order_by("pk").first()
    if contact is not None:
        return person_for_contact(contact)
    return Person(kind="guest", label=f"guest {email}", emails=frozenset({email}))


def _contacts(person: Person) -> Any:
    query = Q(pk__in=person.contact_ids)
    if person.member_id is not None:
        query |= Q(became_member_id=person.member_id)
    return Contact.objects.filter(query)


# Export ------------------------------------------------------------------------------------------
def export(person: Person) -> dict[str, Any]:
    from members.selectors import member_standing

    data: dict[str, Any] = {}
    member = (
        Member.objects.select_related("user", "branch").get(pk=person.member_id)
        if person.member_id is not None
        else None
    )
    if member is not None:
        standing = member_standing(member)
        data["account"] = {
            "email": member.user.email,
            "other_addresses": sorted(
                e
                for e in EmailAddress.objects.filter(user=member.user).values_list("email", flat=True)
                if e.lower() != member.user.email.lower()
            ),
            "date_joined": member.user.date_joined.isoformat(),
            "last_login": _iso(member.user.last_login),
            "two_factor_methods": sorted(
                Authenticator.objects.filter(user=member.user).values_list("type", flat=True)
            ),
        }
        data["member"] = {
            "full_name": member.full_name,
            "preferred_name": member.preferred_name,
            "pronouns": member.pronouns,
            "phone": member.phone,
            "branch": member.branch.name,
            "status": member.status,
            "joined_on": _iso(member.joined_on),
            "dues_band": member.dues_band,
            "workplace": member.workplace,
            "industry": member.industry,
            "trade_union": member.trade_union,
            "union_role": member.union_role,
        }
        data["standing"] = {
            "on": standing.on.isoformat(),
            "good_standing": standing.good_standing,
            "paid_up_to": _iso(standing.paid_up_to),
        }
        data["status_history"] = [
            {"status": c.status, "effective_on": c.effective_on.isoformat(), "reason": c.reason}
            for c in member.status_changes.order_by("effective_on", "pk")
        ]
        data["payments"] = [
            {
                "paid_on": p.paid_on.isoformat(),
                "amount": str(p.amount),
                "method": p.method,
                "months": p.months,
                "covers_to": p.covers_to.isoformat(),
                "note": p.note,
            }
            for p in member.payments.order_by("paid_on", "pk")
        ]
        data["applications"] = [
            {
                "branch": a.branch.name,
                "submitted_at": a.submitted_at.isoformat(),
                "statement": a.statement,
                "decision": a.decision,
                "reason": a.reason,
            }
            for a in Application.objects.filter(Q(member=member) | Q(left_suspended_as=member))
            .select_related("branch")
            .order_by("submitted_at")
        ]
        data["roles"] = [
            {
                "role": r.role,
                "branch": r.branch.name if r.branch else None,
                "starts_on": r.starts_on.isoformat(),
                "ends_on": _iso(r.ends_on),
            }
            for r in member.user.roles.select_related("branch").order_by("starts_on", "pk")
        ]
        data["lapse_warnings"] = [{"sent_for": str(w)} for w in member.lapse_warnings.order_by("pk")]
    consents = Consent.objects.filter(
        Q(contact__in=_contacts(person)) | Q(member_id=person.member_id or 0)
    ).order_by("recorded_at", "pk")
    data["consents"] = [
        {
            "channel": c.channel,
            "granted": c.granted,
            "recorded_at": c.recorded_at.isoformat(),
            "source": c.source,
        }
        for c in consents
    ]
    data["contact_records"] = [
        {
            "full_name": c.full_name,
            "email": c.email,
            "phone": c.phone,
            "city": c.city,
            "branch": c.branch.name if c.branch else None,
            "how_met": c.how_met,
            "notes": c.notes,
            "created_at": c.created_at.isoformat(),
        }
        for c in _contacts(person).select_related("branch").order_by("created_at", "pk")
    ]
    return data


# Erasure -----------------------------------------------------------------------------------------
def erase(erasure: Erasure) -> None:
    person = erasure.person
    contacts = _contacts(person)
    for pk in contacts.values_list("pk", flat=True):
        erasure.target("members.contact", pk)
    Consent.objects.filter(contact__in=contacts).delete()
    erasure.count(
        "contacts",
        contacts.update(
            full_name=erasure.placeholder,
            email="",
            phone="",
            city="",
            how_met="",
            notes="",
            erased_at=erasure.at,
            updated_at=erasure.at,
        ),
    )
    # An import file that listed the person keeps its summary of counts, not its rows.
    ImportBatch.objects.filter(person.by_address("content__icontains")).update(content="", summary={})
    if person.member_id is None:
        return
    member = Member.objects.select_related("user").get(pk=person.member_id)
    for field in ("preferred_name", "pronouns", "phone", "workplace", "industry", "trade_union"):
        setattr(member, field, "")
    member.union_role = ""
    member.full_name = erasure.placeholder
    member.erased_at = erasure.at
    member.updated_at = erasure.at
    member.save()
    member.status_changes.update(reason="")
    Application.objects.filter(Q(member=member) | Q(left_suspended_as=member)).update(statement="", reason="")
    member.payments.update(note="")
    member.consents.all().delete()
    member.lapse_warnings.all().delete()
    erasure.count("member", 1)
    user = member.user
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = erasure.erased_email
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


register_holding(
    Holding(
        name="membership",
        covers={
            "auth.User": "account: address, names and password replaced, deactivated",
            "account.EmailAddress": "deleted",
            "mfa.Authenticator": "deleted",
            "members.Member": "names and contact details emptied; status, dates and dues band kept",
            "members.StatusChange": "kept for the counts, reason emptied",
            "members.Payment": "kept for the accounts, note emptied",
            "members.Application": "kept for the counts, statement and reason emptied",
            "members.Contact": "name replaced, contact details and notes emptied",
            "members.Consent": "deleted",
            "members.RoleAssignment": "kept (roles are ended before erasure; the account is anonymised)",
            "members.LapseWarning": "deleted",
            "members.ImportBatch": "a file that listed the person loses its rows",
        },
        export=export,
        erase=erase,
        order=900,
    )
)


# Retention review ----------------------------------------------------------------------------------
def review(today: dt.date) -> list[ReviewCandidate]:
    from django.conf import settings

    cutoff = today - dt.timedelta(days=settings.AWL_RETENTION_DAYS)
    candidates = [
        ReviewCandidate(
            key=f"member:{m.pk}",
            kind="member",
            label=m.full_name,
            why=f"{m.get_status_display().lower()} since {m.last_change:%Y-%m-%d}"
            if m.last_change
            else m.get_status_display().lower(),
            last_active=m.last_change,
            detail_url=reverse("members:member_detail", args=[m.pk]),
        )
        for m in Member.objects.not_erased()
        .filter(status__in=[MemberStatus.LAPSED, MemberStatus.RESIGNED])
        .exclude(status_changes__effective_on__gt=cutoff)
        .annotate(last_change=Max("status_changes__effective_on"))
        .order_by("full_name", "pk")
    ]
    candidates += [
        ReviewCandidate(
            key=f"applicant:{a.member_id}",
            kind="applicant",
            label=a.member.full_name,
            why=f"application declined {a.decided_at:%Y-%m-%d}",
            last_active=a.decided_at.date() if a.decided_at else None,
            detail_url=reverse("members:member_detail", args=[a.member_id]),
        )
        for a in Application.objects.filter(
            decision=ApplicationDecision.DECLINED,
            decided_at__date__lt=cutoff,
            member__erased_at__isnull=True,
            member__status=MemberStatus.APPLICANT,
        )
        .select_related("member")
        .order_by("member__full_name", "pk")
    ]
    candidates += [
        ReviewCandidate(
            key=f"contact:{c.pk}",
            kind="contact",
            label=c.full_name,
            why=f"contact, last updated {c.updated_at:%Y-%m-%d}",
            last_active=c.updated_at.date(),
            detail_url=reverse("members:contact_detail", args=[c.pk]),
        )
        for c in Contact.objects.filter(
            erased_at__isnull=True, became_member__isnull=True, updated_at__date__lt=cutoff
        ).order_by("full_name", "pk")
    ]
    return candidates


register_review(review)
