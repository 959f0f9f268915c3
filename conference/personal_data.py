"""The conference app in the personal-data registry: what it holds about a person, and for how long.

A person's conference data is their registrations (with their access,
dietary and crèche needs), their standing in the entitlement snapshot, the
CAC's exceptions for them, their branch's choice of them as a delegate, the
motions and amendments they proposed or seconded, their nominations, that
they voted (never what), their tellerships and their CAC duties.

Erasure keeps what must stay countable (registrations, payments,
credentials, votes cast, nominations and the results) and empties the
rest: names become the erasure's placeholder, addresses and needs go. The
text of motions and amendments is the organisation's record and stays; the
person in it is the anonymised member row. References to officers (who
took the snapshot, who checked someone in, who ran a count) are kept: the
account they point at is anonymised by the members holding.

Retention: access, dietary and crèche needs are emptied
``AWL_RETAIN_CONFERENCE_NEEDS_DAYS`` days after the conference ends, whoever
asks or not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone

from awl.personal_data import Erasure, Holding, Person, RetentionRule, register_holding, register_retention
from conference.models import (
    Amendment,
    CacDuty,
    Delegate,
    ElectionCount,
    ElectionElector,
    EligibilityException,
    Motion,
    Nomination,
    Registration,
    Session,
    SnapshotMember,
    Teller,
    VoterRecord,
)

ERASED_REASON = "(erased)"  # an exception's reason may not be empty (exception_has_reason)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _registrations(person: Person) -> QuerySet[Registration]:
    """The person's registrations: as a member, or as a guest or observer by address."""
    return Registration.objects.filter(_member("member_id", person) | person.by_address("email__iexact"))


def _member(field: str, person: Person) -> Q:
    return Q(**{field: person.member_id}) if person.member_id is not None else Q(pk__in=[])


def _user(field: str, person: Person) -> Q:
    return Q(**{field: person.user_id}) if person.user_id is not None else Q(pk__in=[])


# Export ------------------------------------------------------------------------------------------
def _export_registration(r: Registration) -> dict[str, Any]:
    return {
        "conference": r.conference.title,
        "name": r.name,
        "email": r.email,
        "attendee": r.attendee,
        "status": r.status,
        "fee_band": r.fee_band,
        "fee_due": str(r.fee_due),
        "access_needs": r.access_needs,
        "dietary_needs": r.dietary_needs,
        "children": r.children,
        "children_ages": r.children_ages,
        "needs_bed": r.needs_bed,
        "offers_beds": r.offers_beds,
        "first_conference": r.first_conference,
        "consent_share_needs": r.consent_share_needs,
        "entitled": r.entitled,
        "entitlement_reason": r.entitlement_reason,
        "registered_at": r.created_at.isoformat(),
        "cancelled_at": _iso(r.cancelled_at),
        "checked_in": r.checked_in_at is not None,
        "checked_in_at": _iso(r.checked_in_at),
        "credential_issued_at": _iso(getattr(getattr(r, "credential", None), "issued_at", None)),
        "payments": [
            {"amount": str(p.amount), "paid_on": p.paid_on.isoformat(), "method": p.method}
            for p in r.payments.all()
        ],
    }


def _roles(item: Motion | Amendment, person: Person) -> list[str]:
    roles = []
    if person.member_id is not None and item.proposer_id == person.member_id:
        roles.append("proposer")
    if person.member_id is not None and item.seconder_id == person.member_id:
        roles.append("seconder")
    if person.user_id is not None and item.submitted_by_id == person.user_id:
        roles.append("submitted")
    return roles


def _proposals(person: Person) -> Q:
    return _member("proposer_id", person) | _member("seconder_id", person) | _user("submitted_by_id", person)


def export(person: Person) -> dict[str, Any]:
    registrations = (
        _registrations(person)
        .select_related("conference", "credential")
        .prefetch_related("payments")
        .order_by("created_at", "pk")
    )
    data: dict[str, Any] = {"registrations": [_export_registration(r) for r in registrations]}
    data["entitlement_snapshots"] = [
        {
            "conference": s.snapshot.conference.title,
            "cutoff": s.snapshot.cutoff.isoformat(),
            "status_on_cutoff": s.status_on_cutoff,
            "paid_up_to": _iso(s.paid_up_to),
            "good_standing": s.good_standing,
            "reason": s.reason,
        }
        for s in SnapshotMember.objects.filter(_member("member_id", person))
        .select_related("snapshot__conference")
        .order_by("pk")
    ]
    data["eligibility_exceptions"] = [
        {"conference": e.conference.title, "reason": e.reason, "granted_at": e.granted_at.isoformat()}
        for e in EligibilityException.objects.filter(_member("member_id", person))
        .select_related("conference")
        .order_by("granted_at", "pk")
    ]
    data["delegate_choices"] = [
        {"conference": d.conference.title, "branch": d.branch.name, "chosen_at": d.chosen_at.isoformat()}
        for d in Delegate.objects.filter(_member("member_id", person))
        .select_related("conference", "branch")
        .order_by("chosen_at", "pk")
    ]
    data["motions"] = [
        {
            "conference": m.conference.title,
            "title": m.title,
            "as": _roles(m, person),
            "status": m.status,
            "submitted_at": m.submitted_at.isoformat(),
            "seconded_at": _iso(m.seconded_at),
            "emergency_reason": m.emergency_reason,
        }
        for m in Motion.objects.filter(_proposals(person)).select_related("conference").order_by("pk")
    ]
    data["amendments"] = [
        {
            "motion": a.motion.title,
            "conference": a.motion.conference.title,
            "kind": a.kind,
            "insert_text": a.insert_text,
            "free_text": a.free_text,
            "as": _roles(a, person),
            "status": a.status,
            "submitted_at": a.submitted_at.isoformat(),
            "seconded_at": _iso(a.seconded_at),
        }
        for a in Amendment.objects.filter(_proposals(person))
        .select_related("motion__conference")
        .order_by("pk")
    ]
    nominations = (
        Nomination.objects.filter(
            _member("nominee_id", person) | _member("proposer_id", person) | _member("seconder_id", person)
        )
        .select_related("election")
        .order_by("created_at", "pk")
    )
    data["nominations"] = []
    for n in nominations:
        as_nominee = n.nominee_id == person.member_id
        entry: dict[str, Any] = {
            "election": n.election.title,
            "as": [
                role
                for role, member_id in (
                    ("nominee", n.nominee_id),
                    ("proposer", n.proposer_id),
                    ("seconder", n.seconder_id),
                )
                if member_id == person.member_id
            ],
            "status": n.status,
            "nominated_at": n.created_at.isoformat(),
        }
        if as_nominee:  # a proposer or seconder gets no one else's statement
            entry |= {
                "ballot_name": n.ballot_name,
                "requested_ballot_name": n.requested_ballot_name,
                "statement": n.statement,
                "responded_at": _iso(n.responded_at),
                "withdrawn_at": _iso(n.withdrawn_at),
            }
        data["nominations"].append(entry)
    # That they voted, and how the ballot reached them; never what they voted.
    data["voted_in"] = [
        {"election": v.election.title, "method": v.method}
        for v in VoterRecord.objects.filter(_member("member_id", person))
        .select_related("election")
        .order_by("election__voting_opens_at", "election_id")
    ]
    data["electorates"] = [
        e.election.title
        for e in ElectionElector.objects.filter(_member("member_id", person))
        .select_related("election")
        .order_by("election_id")
    ]
    data["tellerships"] = [
        {"election": t.election.title, "appointed_at": t.appointed_at.isoformat()}
        for t in Teller.objects.filter(_user("user_id", person)).select_related("election").order_by("pk")
    ]
    data["cac_duties"] = [
        {"conference": d.conference.title, "duty": d.duty}
        for d in CacDuty.objects.filter(_user("user_id", person)).select_related("conference").order_by("pk")
    ]
    return data


# Erasure -----------------------------------------------------------------------------------------
def _renamed(value: Any, names: dict[str, str]) -> Any:
    """``value`` (a count's result) with every name in ``names`` replaced, keys and values alike."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    if isinstance(value, dict):
        return {_renamed(k, names): _renamed(v, names) for k, v in value.items()}
    return value


def _replace_name(field: str, name: str, placeholder: str) -> dict[str, Any]:
    return {field: Replace(field, Value(name), Value(placeholder))}


def _erase_registrations(erasure: Erasure) -> None:
    registrations = _registrations(erasure.person)
    pks = list(registrations.values_list("pk", flat=True))
    for pk in pks:
        erasure.target("conference.registration", pk)
    # Whom they hosted, or who hosted them, is accommodation they no longer have.
    Registration.objects.filter(hosted_by_id__in=pks).update(hosted_by=None)
    erasure.count(
        "conference registrations",
        Registration.objects.filter(pk__in=pks).update(
            name=erasure.placeholder,
            email="",
            access_needs="",
            dietary_needs="",
            children=0,
            children_ages="",
            needs_bed=False,
            offers_beds=0,
            hosted_by=None,
            consent_share_needs=False,
            entitlement_reason="",
            updated_at=erasure.at,
        ),
    )


def _erase_nominations(erasure: Erasure, member_id: int) -> None:
    from conference.elections.services.nominations import sort_name_for

    nominations = list(Nomination.objects.filter(nominee_id=member_id))
    renamed: dict[int, dict[str, str]] = {}
    for nomination in nominations:
        erasure.target("conference.nomination", nomination.pk)
        if nomination.ballot_name and nomination.ballot_name != erasure.placeholder:
            renamed.setdefault(nomination.election_id, {})[nomination.ballot_name] = erasure.placeholder
    erasure.count(
        "nominations",
        Nomination.objects.filter(nominee_id=member_id).update(
            statement="",
            ballot_name=erasure.placeholder,
            # "" is "no request waiting" for the returning officer: the placeholder there would be one.
            requested_ballot_name="",
            sort_name=sort_name_for(erasure.placeholder),
        ),
    )
    # The counts keep their numbers; the candidate is the placeholder there too, as on the ballot.
    for election_id, names in renamed.items():
        for count in ElectionCount.objects.filter(election_id=election_id):
            count.result = _renamed(count.result, names)
            count.save(update_fields=["result"])
            for name in names:
                ElectionCount.objects.filter(pk=count.pk).update(
                    **_replace_name("reason", name, erasure.placeholder)
                )


def erase(erasure: Erasure) -> None:
    person = erasure.person
    _erase_registrations(erasure)
    if person.user_id is not None:
        # A duty held by an account that no longer works opens nothing; tellerships stay with the
        # papers they entered (the account itself is anonymised by the members holding).
        erasure.count("CAC duties", CacDuty.objects.filter(user_id=person.user_id).delete()[0])
    if person.member_id is None:
        return
    member_id = person.member_id
    erasure.count("snapshot rows", SnapshotMember.objects.filter(member_id=member_id).update(reason=""))
    exceptions = EligibilityException.objects.filter(member_id=member_id)
    for pk in exceptions.values_list("pk", flat=True):
        erasure.target("conference.eligibilityexception", pk)
    erasure.count("eligibility exceptions", exceptions.update(reason=ERASED_REASON))
    for pk in Delegate.objects.filter(member_id=member_id).values_list("pk", flat=True):
        erasure.target("conference.delegate", pk)
    _erase_nominations(erasure, member_id)
    # Motions and amendments are the organisation's record: their text stays, and the proposer or
    # seconder shown is the anonymised member; their name written into the emergency reason goes.
    name = person.label.strip()
    for model in (Motion, Amendment):
        items = model.objects.filter(Q(proposer_id=member_id) | Q(seconder_id=member_id))
        erasure.count(f"{model._meta.verbose_name_plural} proposed or seconded", items.count())
        if name and model is Motion:
            items.update(**_replace_name("emergency_reason", name, erasure.placeholder))
    if name:
        Session.objects.filter(chair__iexact=name).update(chair=erasure.placeholder)
    # Votes cast and electorates stay countable: the member row they point at is anonymised.
    erasure.count("votes cast", VoterRecord.objects.filter(member_id=member_id).count())


register_holding(
    Holding(
        name="conference",
        covers={
            "conference.Registration": "kept for the counts (fee, status, check-in): name replaced, address, "
            "needs, diet, children, accommodation and entitlement reason emptied; checked_in_by kept, the "
            "officer's account anonymised by the members holding",
            "conference.RegistrationPayment": "kept for the accounts (amount, date, method); the officer "
            "who recorded it is kept and their account anonymised by the members holding",
            "conference.Credential": "kept (the code votes were checked against); issued_by kept, the "
            "account anonymised by the members holding",
            "conference.Snapshot": "kept: the officer who took it is kept, their account anonymised",
            "conference.SnapshotMember": "kept for the counts, reason emptied",
            "conference.EligibilityException": "kept (the CAC's decision), reason replaced; granted_by kept, "
            "the account anonymised by the members holding",
            "conference.Delegate": "kept (the branch's delegate count); chosen_by kept, the account "
            "anonymised by the members holding",
            "conference.CacDuty": "deleted (an erased account handles nothing)",
            "conference.Motion": "kept (the organisation's record): proposer, seconder and submitter are "
            "the anonymised member and account; their name in the emergency reason replaced",
            "conference.Amendment": "kept (the organisation's record): proposer, seconder and submitter "
            "are the anonymised member and account",
            "conference.Election": "kept: returning officer, creator and confirmer are kept, their "
            "accounts anonymised by the members holding",
            "conference.Nomination": "kept for the results: statement emptied, ballot and sort names "
            "replaced, any request for another ballot name dropped",
            "conference.VoterRecord": "kept (votes cast stay countable; never what was voted)",
            "conference.ElectionElector": "kept (the electorate's size)",
            "conference.Teller": "kept with the papers they entered; the teller's and appointer's accounts "
            "are anonymised by the members holding",
            "conference.PaperEntry": "kept (anonymous papers); its teller is kept",
            "conference.ElectionCount": "kept: the erased candidate's name replaced in the result and "
            "reason; run_by kept, the account anonymised by the members holding",
            "conference.BallotImport": "kept: imported_by kept, the account anonymised",
            "conference.Session": "a chair named as the person is replaced",
        },
        export=export,
        erase=erase,
    )
)


# Retention -----------------------------------------------------------------------------------------
def empty_needs_after_conference(now: dt.datetime, days: int) -> int:
    """Empty the needs of registrations for conferences that ended more than ``days`` days ago."""
    ended_before = timezone.localdate(now) - dt.timedelta(days=days)
    return (
        Registration.objects.filter(conference__ends_on__lt=ended_before)
        .exclude(access_needs="", dietary_needs="", children_ages="", children=0)
        .update(access_needs="", dietary_needs="", children_ages="", children=0)
    )


register_retention(
    RetentionRule(
        key="conference.needs",
        label="Access, dietary and crèche needs, after the conference ends",
        days=lambda: settings.AWL_RETAIN_CONFERENCE_NEEDS_DAYS,
        run=empty_needs_after_conference,
    )
)
