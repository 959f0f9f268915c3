"""What every part of an election shares: its phase, its electorate, who may stand, and the error.

The parts are: nominations (``conference.nominations``), ballots and tellers
(``conference.ballots``), and the count and result (``conference.results``);
the count itself is ``conference.stv`` and BLT files ``conference.blt``.
Models are in ``conference.election_models``; permissions in
``conference.rules``.

The electorate of an election held at a conference is its registrations
that are entitled to vote now by the conference's rule (the register on the
cut-off date, the CAC's exceptions, less those suspended or resigned since;
with the delegates basis, only the branches' chosen delegates: see
``conference.registration.selectors``), not cancelled, and, if the
election says ``present_only``, holding the voting credential issued at
check-in. The electorate of an election held by a committee is that
committee's members, frozen when voting opens
(``conference.elections.services.electorates``). Who may stand:
at a conference, a member in good standing; in a committee's election, one
of its current members.

Who may see an election (``visible_elections``, ``can_view``): those who set
elections up (national office, the CAC), its returning officer and tellers,
and anyone named in one of its nominations (nominee, proposer, seconder);
besides them, for an election at a conference, whoever may read that
conference's business (a member, or someone registered for it), and for an
election by a committee, its electorate (the electing committee's current
members) and no one else: the EC's election by the NC is the NC's business,
so to other members its page is a 404, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import MD5, Cast, Concat
from django.http import Http404
from django.utils import timezone

from awl.audit import log_action
from awl.errors import DomainError
from awl.permissions import has_rule
from committees.models import Term
from committees.services import current_members
from conference.elections.models import (
    LIVE_NOMINATION,
    BallotOrder,
    Election,
    Nomination,
    NominationStatus,
    Teller,
)
from conference.elections.services import electorates
from conference.models import Registration, RegistrationStatus
from conference.registration import selectors as registration_selectors
from conference.rules import APPOINT_RETURNING_OFFICER, RETURN_ELECTION, SET_UP_ELECTION
from members import selectors as member_selectors
from members.models import Member, MemberStatus
from members.standing import standing_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, User


class ElectionError(DomainError):
    """An election rule refused the change; the message is shown to the person."""


class Phase(models.TextChoices):
    BEFORE = "before", "Nominations not yet open"
    NOMINATIONS = "nominations", "Nominations open"
    BETWEEN = "between", "Nominations closed; voting not yet open"
    VOTING = "voting", "Voting open"
    CLOSED = "closed", "Voting closed; awaiting the count"
    CONFIRMED = "confirmed", "Result declared"


def phase(election: Election, now: dt.datetime | None = None) -> Phase:
    now = now or timezone.now()
    if election.confirmed_at is not None:
        return Phase.CONFIRMED
    if now < election.nominations_open_at:
        return Phase.BEFORE
    if now < election.nominations_close_at:
        return Phase.NOMINATIONS
    if now < election.voting_opens_at:
        return Phase.BETWEEN
    if now < election.voting_closes_at:
        return Phase.VOTING
    return Phase.CLOSED


def electorate(election: Election, on: dt.date | None = None) -> QuerySet[Member]:
    """The members who may vote in the election (not erased), by name.

    At a conference: the registrations entitled to vote now, by the conference's rule (the cut-off
    register, exceptions, suspensions since, delegates: ``registration.selectors.entitled_registrations``),
    and with ``present_only`` those holding the voting credential the desk issues at check-in. By a
    committee: once voting has opened, the members written down when it opened
    (``electorates.frozen_members``; ``on`` no longer matters); before, the committee's members on ``on``.
    """
    if election.electing_committee is not None:
        frozen = electorates.frozen_members(election)
        if frozen is not None:
            return frozen
        return current_members(election.electing_committee, on)
    if election.conference is None:  # the check constraint: held at a conference or by a committee
        return Member.objects.none()
    registrations = registration_selectors.entitled_registrations(election.conference)
    if election.present_only:
        registrations = registrations.filter(checked_in_at__isnull=False, credential__isnull=False)
    return (
        Member.objects.filter(pk__in=registrations.values("member_id"), erased_at__isnull=True)
        .select_related("user")
        .order_by("full_name")
    )


def in_electorate(election: Election, member: Member | None, on: dt.date | None = None) -> bool:
    return member is not None and electorate(election, on).filter(pk=member.pk).exists()


def standing_refusal(election: Election, member: Member, on: dt.date | None = None) -> str:
    """Why the member may not stand in this election, or "" if they may."""
    day = on or timezone.localdate()
    if member.erased_at is not None or member.status != MemberStatus.MEMBER:
        return f"{member} is not a member, so cannot stand."
    if election.electing_committee is not None:
        if not current_members(election.electing_committee, day).filter(pk=member.pk).exists():
            return f"Only members of the {election.electing_committee} may stand; {member} is not one."
        return ""
    if not standing_for(member, day).good_standing:
        return f"{member} is not a member in good standing, so cannot stand."
    return ""


def candidates(election: Election) -> QuerySet[Nomination]:
    """The accepted nominations, in ballot-paper order, as the election says and publishes.

    By surname (``Nomination.sort_name``, the member's name surname first: a ballot name never decides
    the order by itself); or at random, drawn with the election's recorded seed: by the MD5 of
    "seed:member number", which anyone holding the seed and the numbers can recompute, and which no
    candidate can steer (the member number is fixed long before they stand).
    """
    found = Nomination.objects.filter(election=election, status=NominationStatus.ACCEPTED).select_related(
        "nominee"
    )
    if election.ballot_order == BallotOrder.RANDOM and election.ballot_seed is not None:
        draw = MD5(Concat(Value(f"{election.ballot_seed}:"), Cast("nominee_id", CharField())))
        return found.annotate(ballot_draw=draw).order_by("ballot_draw", "pk")
    return found.order_by("sort_name", "ballot_name", "pk")


def get_election(pk: int) -> Election:
    try:
        return Election.objects.select_related(
            "committee",
            "conference",
            "electing_committee",
            "returning_officer",
            "returning_officer_appointed_by",
            "confirmed_count",
        ).get(pk=pk)
    except Election.DoesNotExist:
        raise Http404("No such election.") from None


def is_returning_officer(user: User, election: Election) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and election.returning_officer_id == user.pk


def visible_elections(user: User, on: dt.date | None = None) -> QuerySet[Election]:
    """The elections ``user`` may see (see the module docstring); one query, whatever they hold."""
    if not getattr(user, "is_authenticated", False):
        return Election.objects.none()
    if has_rule(user, SET_UP_ELECTION, None):
        return Election.objects.all()
    seen = Q(returning_officer_id=user.pk) | Q(tellers__user_id=user.pk)
    member = member_selectors.own_member(user)
    if member is not None:
        named = Q(nominee=member) | Q(proposer=member) | Q(seconder=member)
        seen |= Q(pk__in=Nomination.objects.filter(named).values("election_id"))
        if member.status == MemberStatus.MEMBER:
            seen |= Q(conference__isnull=False)
        else:
            registered = Registration.objects.filter(member=member, status=RegistrationStatus.REGISTERED)
            seen |= Q(conference_id__in=registered.values("conference_id"))
        sits_on = Term.objects.filter(member=member).current(on).values("committee_id")
        seen |= Q(electing_committee_id__in=sits_on)
    return Election.objects.filter(pk__in=Election.objects.filter(seen).values("pk"))


def can_view(user: User, election: Election) -> bool:
    """Whether ``user`` may see the election's page (elsewhere a 404: see the module docstring)."""
    return visible_elections(user).filter(pk=election.pk).exists()


def get_election_for_user(user: User, pk: int) -> Election:
    """The election, if ``user`` may see it (``can_view``); 404 otherwise, as if there were none."""
    election = get_election(pk)
    if not can_view(user, election):
        raise Http404("No such election.")
    return election


def get_election_to_return(user: User, pk: int) -> Election:
    """The election, if ``user`` is its returning officer; 404 if they may not see it, 403 if they may."""
    election = get_election_for_user(user, pk)
    if not has_rule(user, RETURN_ELECTION, election):
        raise PermissionDenied("Only the election's returning officer does this.")
    return election


# Appointments: who runs the election, and who may not also stand or tell ---------------------------
#
# The returning officer is appointed by name: by the CAC for an election at a conference, by the
# electing committee's secretary for a committee's (``conference.rules.APPOINT_RETURNING_OFFICER``);
# the national office sets elections up but appoints nobody. The returning officer appoints the
# tellers (``services.ballots.appoint_teller``). Nobody holds two of these parts in one election:
# the returning officer is not a nominee or a teller, a teller is not a nominee. Every path that
# could join two parts (appointing the returning officer, appointing a teller, nominating, accepting
# a nomination) asks the refusals below.


def person_name(user: AbstractBaseUser | None) -> str:
    """How the election pages name an account: its member's name, else its own name or address."""
    if user is None:
        return ""
    member = Member.objects.filter(user_id=user.pk, erased_at__isnull=True).only("full_name").first()
    if member is not None:
        return member.full_name
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "email", "") or "")


def _is_live_nominee(election: Election, user_id: int) -> bool:
    return Nomination.objects.filter(LIVE_NOMINATION, election=election, nominee__user_id=user_id).exists()


def returning_officer_refusal(election: Election, user: AbstractBaseUser | None) -> str:
    """Why ``user`` cannot be this election's returning officer ("" if they can)."""
    if user is None or not getattr(user, "is_active", False):
        return "Choose a returning officer with an active account on this site."
    if election.pk is None:
        return ""
    name = person_name(user)
    if _is_live_nominee(election, user.pk):
        return f"{name} is nominated in this election, so cannot be its returning officer."
    if Teller.objects.filter(election=election, user_id=user.pk).exists():
        return f"{name} is a teller in this election, so cannot be its returning officer."
    return ""


def nominee_refusal(election: Election, member: Member) -> str:
    """Why ``member`` may not stand, for a part they hold in this election ("" if they hold none)."""
    if member.user_id is None:
        return ""
    if member.user_id == election.returning_officer_id:
        return "The returning officer cannot stand in the election they run."
    if Teller.objects.filter(election=election, user_id=member.user_id).exists():
        return f"{member} is a teller in this election, so cannot stand in it."
    return ""


def appointer_refusal(actor: User | None, election: Election) -> str:
    """Why ``actor`` may not appoint the election's returning officer ("" if they may; None: the system)."""
    if actor is None or has_rule(actor, APPOINT_RETURNING_OFFICER, election):
        return ""
    if election.conference_id is not None:
        return (
            "Only the conference arrangements committee appoints the returning officer "
            "of an election at a conference."
        )
    return (
        f"Only the secretary of the {election.electing_committee} appoints the returning officer "
        "of its election."
    )


@transaction.atomic
def appoint_returning_officer(
    *, actor: User | None, election: Election, user: AbstractBaseUser | None, reason: str = ""
) -> Election:
    """Appoint (or replace) the returning officer by name; a replacement needs a reason. Audited."""
    refusal = appointer_refusal(actor, election)
    if refusal:
        raise ElectionError(refusal)
    election = (
        Election.objects.select_for_update(of=("self",))
        .select_related("conference", "electing_committee")
        .get(pk=election.pk)
    )
    if election.confirmed_at is not None:
        raise ElectionError("The result has been declared: the returning officer can no longer change.")
    if user is not None and user.pk == election.returning_officer_id:
        raise ElectionError(f"{person_name(user)} is already the returning officer.")
    refusal = returning_officer_refusal(election, user)
    if refusal or user is None:
        raise ElectionError(refusal)
    reason = " ".join(reason.split())[:500]
    previous = election.returning_officer_id
    if previous is not None and not reason:
        raise ElectionError("Say why the returning officer is being replaced.")
    election.returning_officer = user  # type: ignore[assignment]
    election.returning_officer_appointed_at = timezone.now()
    election.returning_officer_appointed_by = actor if getattr(actor, "is_authenticated", False) else None
    election.save(
        update_fields=[
            "returning_officer",
            "returning_officer_appointed_at",
            "returning_officer_appointed_by",
        ]
    )
    log_action(
        actor=actor,
        action="election.returning_officer_appointed",
        target=election,
        detail={"user": user.pk, "previous": previous, "reason": reason},
    )
    return election


@dataclass(frozen=True)
class Appointment:
    part: str  # "Returning officer" or "Teller"
    name: str
    appointed_by: str
    appointed_at: dt.datetime | None


def appointments(election: Election) -> list[Appointment]:
    """Who holds a part in the election, who appointed them and when: for the election's page.

    Three queries whatever the number of tellers: the tellers, the names of everyone involved.
    """
    tellers = list(
        Teller.objects.filter(election=election)
        .select_related("user", "appointed_by")
        .order_by("appointed_at", "pk")
    )
    users: dict[int, Any] = {}
    if election.returning_officer_id is not None:
        users[election.returning_officer_id] = election.returning_officer
        by = election.returning_officer_appointed_by
        if by is not None:
            users[by.pk] = by
    for teller in tellers:
        users[teller.user_id] = teller.user
        if teller.appointed_by is not None:
            users[teller.appointed_by.pk] = teller.appointed_by
    members = dict(
        Member.objects.filter(user_id__in=list(users), erased_at__isnull=True).values_list(
            "user_id", "full_name"
        )
    )

    def name(user: Any) -> str:
        if user is None:
            return ""
        return str(members.get(user.pk) or user.get_full_name() or user.email)

    shown: list[Appointment] = []
    if election.returning_officer_id is not None:
        shown.append(
            Appointment(
                "Returning officer",
                name(election.returning_officer),
                name(election.returning_officer_appointed_by) or "set up by the system",
                election.returning_officer_appointed_at,
            )
        )
    for teller in tellers:
        shown.append(
            Appointment(
                "Teller",
                name(teller.user),
                name(teller.appointed_by) or "set up by the system",
                teller.appointed_at,
            )
        )
    return shown
