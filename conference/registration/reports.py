"""Reads for the check-in desk and the CAC's pages: the desk search, registrations by branch and
band, fees outstanding, the needs lists and accommodation.

Each list is a fixed number of queries however many people registered. The
needs lists never carry the text of someone who did not consent to share
their needs: it is left out in the query itself (``_if_consented``), so it
never reaches a template, a CSV file or a log. Only registrations that stand
(not cancelled) are counted or listed, except by the desk search, which finds
a cancelled registration too so the desk can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    F,
    PositiveSmallIntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from awl.codes import read_code
from conference.models import (
    Band,
    CacDuty,
    Conference,
    Registration,
    RegistrationPayment,
    RegistrationStatus,
)
from conference.registration import selectors
from members.models import Role, RoleAssignment

NO_BRANCH = "No branch (observers and guests)"
ZERO = Decimal("0.00")


# Access helpers ---------------------------------------------------------------------------------
def registration_in(conference: Conference, pk: int) -> Registration:
    """One registration for the conference, with what the desk shows; 404 for any other."""
    registration = (
        Registration.objects.filter(conference=conference, pk=pk)
        .select_related("member__branch", "credential")
        .first()
    )
    if registration is None:
        raise Http404("No such registration.")
    return registration


def _standing(conference: Conference) -> QuerySet[Registration]:
    return Registration.objects.filter(conference=conference, status=RegistrationStatus.REGISTERED)


# The desk ---------------------------------------------------------------------------------------
DESK_LIMIT = 30


@dataclass(frozen=True)
class DeskResults:
    rows: list[Registration]
    by_code: str = ""  # the credential code that found them
    more: bool = False  # more people match than are shown


def desk_search(conference: Conference, q: str) -> DeskResults:
    """Registrations whose credential code is ``q``, else whose name has every word of it."""
    q = q.strip()
    if not q:
        return DeskResults([])
    base = (
        Registration.objects.filter(conference=conference)
        .select_related("member__branch", "credential")
        .order_by("status", "name", "pk")
    )
    code = read_code(q)
    if code is not None:
        found = list(base.filter(credential__code=code))
        if found:
            return DeskResults(found, by_code=code)
    by_name = base
    for word in q.split()[:5]:
        by_name = by_name.filter(name__icontains=word)
    rows = list(by_name[: DESK_LIMIT + 1])
    return DeskResults(rows[:DESK_LIMIT], more=len(rows) > DESK_LIMIT)


# Registrations by branch and band, fees -----------------------------------------------------------
@dataclass(frozen=True)
class BranchRow:
    name: str
    registered: int
    entitled: int
    present: int


def by_branch(conference: Conference) -> list[BranchRow]:
    """Registered, entitled to vote now (the rule, as ``selectors.entitled_registrations``) and present."""
    entitled = selectors.entitled_registrations(conference).values("pk")
    rows = (
        _standing(conference)
        .values("member__branch__name")
        .annotate(
            registered=Count("pk"),
            entitled=Count("pk", filter=Q(pk__in=entitled)),
            present=Count("pk", filter=Q(checked_in_at__isnull=False)),
        )
        .order_by(F("member__branch__name").asc(nulls_last=True))
    )
    return [
        BranchRow(
            name=row["member__branch__name"] or NO_BRANCH,
            registered=row["registered"],
            entitled=row["entitled"],
            present=row["present"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class BandRow:
    band: str
    label: str
    registered: int
    due: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.due - self.paid


def _paid_by(field: str, conference: Conference) -> dict[Any, Decimal]:
    rows = (
        RegistrationPayment.objects.filter(
            registration__conference=conference, registration__status=RegistrationStatus.REGISTERED
        )
        .values(field)
        .annotate(total=Sum("amount"))
        .values_list(field, "total")
    )
    return {key: total or ZERO for key, total in rows}


def by_band(conference: Conference) -> list[BandRow]:
    """Every fee band, in the order of the choices, with those registered in it, fees due and paid."""
    counts: dict[str, dict[str, Any]] = {
        row["fee_band"]: dict(row)
        for row in _standing(conference)
        .values("fee_band")
        .annotate(registered=Count("pk"), due=Sum("fee_due"))
        .order_by()
    }
    paid = _paid_by("registration__fee_band", conference)
    return [
        BandRow(
            band=band.value,
            label=band.label,
            registered=counts.get(band.value, {}).get("registered", 0),
            due=counts.get(band.value, {}).get("due") or ZERO,
            paid=paid.get(band.value, ZERO),
        )
        for band in Band
    ]


@dataclass(frozen=True)
class Fees:
    due: Decimal
    paid: Decimal
    outstanding: Decimal  # what is still owed, summed over those who owe something
    owing: list[Registration] = field(default_factory=list)  # each with .paid and .outstanding


def fees(conference: Conference) -> Fees:
    """Fee totals, and each registration that still owes something (fee due minus its payments)."""
    money = selectors.MONEY
    rows = list(
        _standing(conference)
        .select_related("member__branch")
        .annotate(paid=Coalesce(selectors.paid_subquery(), Value(ZERO), output_field=money))
        .annotate(outstanding=F("fee_due") - F("paid"))
        .order_by("name", "pk")
    )
    owing = [r for r in rows if r.outstanding > 0]
    return Fees(
        due=sum((r.fee_due for r in rows), ZERO),
        paid=sum((r.paid for r in rows), ZERO),
        outstanding=sum((r.outstanding for r in owing), ZERO),
        owing=list[Registration](owing),
    )


# Needs --------------------------------------------------------------------------------------------
def _if_consented(column: str, output: Any, default: Any) -> Case:
    """The column for those who consented to share their needs; ``default`` (nothing) for the rest."""
    return Case(When(consent_share_needs=True, then=F(column)), default=Value(default), output_field=output)


@dataclass(frozen=True)
class NeedsRow:
    pk: int
    name: str
    branch: str
    consented: bool
    email: str  # empty when they did not consent
    text: str = ""  # access or dietary needs
    children: int | None = None  # crèche
    ages: str = ""


NEEDS_FILTERS = {
    "access": ~Q(access_needs=""),
    "diet": ~Q(dietary_needs=""),
    "creche": Q(children__gt=0),
}


def needs_list(conference: Conference, kind: str) -> list[NeedsRow]:
    """Those with access needs (``kind`` "access"), dietary needs ("diet") or children for the crèche
    ("creche"); the text only for those who consented to share it."""
    text_column = {"access": "access_needs", "diet": "dietary_needs", "creche": "children_ages"}[kind]
    rows = (
        _standing(conference)
        .filter(NEEDS_FILTERS[kind])
        .annotate(
            shown_text=_if_consented(text_column, CharField(), ""),
            shown_children=_if_consented("children", PositiveSmallIntegerField(), None),
            shown_email=_if_consented("email", CharField(), ""),
        )
        .order_by("name", "pk")
        .values(
            "pk",
            "name",
            "member__branch__name",
            "consent_share_needs",
            "shown_text",
            "shown_children",
            "shown_email",
        )
    )
    return [
        NeedsRow(
            pk=row["pk"],
            name=row["name"],
            branch=row["member__branch__name"] or NO_BRANCH,
            consented=row["consent_share_needs"],
            email=row["shown_email"],
            text=row["shown_text"] if kind != "creche" else "",
            children=row["shown_children"] if kind == "creche" else None,
            ages=row["shown_text"] if kind == "creche" else "",
        )
        for row in rows
    ]


@dataclass(frozen=True)
class GuestRow:
    pk: int
    name: str
    branch: str
    consented: bool
    email: str
    host_pk: int | None
    host_name: str


@dataclass(frozen=True)
class HostRow:
    pk: int
    name: str
    branch: str
    consented: bool
    email: str
    offers: int | None  # None when they did not consent
    taken: int

    @property
    def free(self) -> int:
        return max((self.offers or 0) - self.taken, 0)

    @property
    def over(self) -> bool:
        """More guests than beds: the host lowered their offer after guests were matched."""
        return self.offers is not None and self.taken > self.offers


@dataclass(frozen=True)
class Accommodation:
    guests: list[GuestRow]
    hosts: list[HostRow]

    @property
    def matchable_guests(self) -> list[GuestRow]:
        return [g for g in self.guests if g.consented and g.host_pk is None]

    @property
    def hosts_with_room(self) -> list[HostRow]:
        return [h for h in self.hosts if h.consented and h.free > 0]


def accommodation(conference: Conference) -> Accommodation:
    """Who needs a bed (and whose bed they have), and who offers beds (and how many are taken)."""
    guests = (
        _standing(conference)
        .filter(needs_bed=True)
        .annotate(
            shown_email=_if_consented("email", CharField(), ""),
            shown_host=_if_consented("hosted_by_id", BigIntegerField(), None),
            shown_host_name=_if_consented("hosted_by__name", CharField(), ""),
        )
        .order_by("name", "pk")
        .values(
            "pk",
            "name",
            "member__branch__name",
            "consent_share_needs",
            "shown_email",
            "shown_host",
            "shown_host_name",
        )
    )
    hosts = (
        _standing(conference)
        .filter(offers_beds__gt=0)
        .annotate(
            shown_email=_if_consented("email", CharField(), ""),
            shown_offers=_if_consented("offers_beds", PositiveSmallIntegerField(), None),
            taken=Count(
                "guests_hosted", filter=Q(guests_hosted__status=RegistrationStatus.REGISTERED), distinct=True
            ),
        )
        .order_by("name", "pk")
        .values(
            "pk",
            "name",
            "member__branch__name",
            "consent_share_needs",
            "shown_email",
            "shown_offers",
            "taken",
        )
    )
    return Accommodation(
        guests=[
            GuestRow(
                pk=g["pk"],
                name=g["name"],
                branch=g["member__branch__name"] or NO_BRANCH,
                consented=g["consent_share_needs"],
                email=g["shown_email"],
                host_pk=g["shown_host"],
                host_name=g["shown_host_name"] or "",
            )
            for g in guests
        ],
        hosts=[
            HostRow(
                pk=h["pk"],
                name=h["name"],
                branch=h["member__branch__name"] or NO_BRANCH,
                consented=h["consent_share_needs"],
                email=h["shown_email"],
                offers=h["shown_offers"],
                taken=h["taken"] if h["consent_share_needs"] else 0,
            )
            for h in hosts
        ],
    )


# CAC duties ---------------------------------------------------------------------------------------
def duties(conference: Conference) -> list[CacDuty]:
    return list(
        CacDuty.objects.filter(conference=conference).select_related("user").order_by("user__email", "duty")
    )


def cac_members() -> list[Any]:
    """Everyone on the CAC today, by e-mail address."""
    assignments = (
        RoleAssignment.objects.current().filter(role=Role.CAC).select_related("user").order_by("user__email")
    )
    seen: dict[int, Any] = {}
    for assignment in assignments:
        seen.setdefault(assignment.user_id, assignment.user)
    return list(seen.values())
