"""Factories for plain rows, and helpers that build everything else through the services.

Branches, users and dues rates are plain rows: factory_boy builds them.
Members, applications, payments and roles have rules, so they are made by
the same service functions the application uses (``make_member`` applies
and is approved, on the date it is told, by travelling there), and a test
can never start from a state the application could not reach.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory, Password

from committees.models import Committee, CommitteeKind, Term
from committees.services import start_term
from conference.models import Conference, FeeBand
from dayschools.models import City, Region, School, Series
from members import services
from members.models import (
    Application,
    Branch,
    DuesBand,
    DuesRate,
    Member,
    Payment,
    PaymentMethod,
    Role,
    RoleAssignment,
    StatusChange,
)
from tests.helpers.clock import LONDON_TZ as LONDON_TZ  # re-exported: the tests that import it from here
from tests.helpers.clock import at_noon as at_noon  # re-exported likewise
from tests.helpers.clock import travel

User = get_user_model()

PASSWORD = "correct-horse-battery-staple"
# Roles granted by the helpers start here, so they hold on any date a test travels to.
ROLES_FROM = dt.date(2000, 1, 1)


class BranchFactory(DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("slug",)

    name = factory.Iterator(["London", "Leeds", "Sheffield", "Liverpool", "Manchester"])
    slug = factory.LazyAttribute(lambda branch: slugify(branch.name))
    city = factory.LazyAttribute(lambda branch: branch.name)


class UserFactory(DjangoModelFactory):
    """A signed-up account; its e-mail address is verified unless ``verified=False``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = Password(PASSWORD)

    @factory.post_generation
    def verified(user: Any, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if create:
            EmailAddress.objects.create(
                user=user, email=user.email, primary=True, verified=extracted is None or bool(extracted)
            )


class DuesRateFactory(DjangoModelFactory):
    class Meta:
        model = DuesRate
        django_get_or_create = ("band", "valid_from")

    band = DuesBand.WAGED
    monthly_amount = Decimal("10.00")
    valid_from = dt.date(2000, 1, 1)


class ConferenceFactory(DjangoModelFactory):
    """A conference at Conway Hall two months ahead whose registration is open now (the defaults).

    ``year`` gives the title and slug; pass the dates to place it elsewhere in time, and ``fees`` (band to
    amount) for its fee bands, none by default.
    """

    class Meta:
        model = Conference
        skip_postgeneration_save = True

    year = factory.Sequence(lambda n: 2200 + n)
    title = factory.LazyAttribute(lambda conference: f"Conference {conference.year}")
    slug = factory.LazyAttribute(lambda conference: str(conference.year))
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    ends_on = factory.LazyAttribute(lambda conference: conference.starts_on + dt.timedelta(days=1))
    venue = "Conway Hall"
    city = "London"
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    eligibility_cutoff = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))

    @factory.post_generation
    def fees(conference: Conference, create: bool, extracted: dict[str, str] | None, **kwargs: Any) -> None:
        if create and extracted:
            FeeBand.objects.bulk_create(
                FeeBand(conference=conference, band=band, amount=Decimal(amount))
                for band, amount in extracted.items()
            )


class CommitteeFactory(DjangoModelFactory):
    """A committee of the given ``name`` (its slug follows it unless given), of kind "other" by default."""

    class Meta:
        model = Committee

    name = factory.Sequence(lambda n: f"Committee {n}")
    slug = factory.LazyAttribute(lambda committee: slugify(committee.name))


def seat(committee: Committee, member: Member, *, since: dt.date = ROLES_FROM) -> Term:
    """``member`` sits on ``committee``, elected at conference, from ``since`` (by default long before any
    date a test travels to)."""
    return start_term(
        actor=None, committee=committee, member=member, role="member", starts_on=since, basis="conference"
    )


def national_committee(*members: Member) -> Committee:
    """The National Committee (slug ``nc``), with ``members`` sitting on it."""
    committee = CommitteeFactory.create(name="National Committee", slug="nc", kind=CommitteeKind.NATIONAL)
    for member in members:
        seat(committee, member)
    return committee


class SeriesFactory(DjangoModelFactory):
    """A series of day schools, in autumn 2026 unless told."""

    class Meta:
        model = Series

    title = "Capitalism and its crises"
    slug = factory.Sequence(lambda n: f"series-{n}")
    season = "Autumn 2026"


class SchoolFactory(DjangoModelFactory):
    """A day school, numbered in its series."""

    class Meta:
        model = School

    series = factory.SubFactory(SeriesFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "What is capitalism?"


class CityFactory(DjangoModelFactory):
    """A city day schools are held in (London by default); its slug follows its name."""

    class Meta:
        model = City

    name = "London"
    slug = factory.LazyAttribute(lambda city: slugify(city.name))
    region = Region.LONDON


def make_officer(
    role: Role | str, branch: Branch | None = None, *, user: Any = None, email: str | None = None
) -> Any:
    """A user holding ``role`` (for ``branch`` when it is a branch role), granted by the system."""
    if user is None:
        user = UserFactory(**({"email": email} if email else {}))
    services.grant_role(actor=None, user=user, role=role, branch=branch, starts_on=ROLES_FROM)
    return user


def admissions_officer() -> Any:
    """The national-office user who approves members made by ``make_member`` (one per test)."""
    assignment = (
        RoleAssignment.objects.filter(role=Role.NATIONAL_OFFICE, user__username="admissions")
        .select_related("user")
        .first()
    )
    if assignment is not None:
        return assignment.user
    return make_officer(Role.NATIONAL_OFFICE, user=UserFactory(username="admissions"))


def make_application(
    branch: Branch,
    *,
    on: dt.date | None = None,
    user: Any = None,
    full_name: str = "Alex Applicant",
    band: str = DuesBand.WAGED,
    statement: str = "",
    **details: Any,
) -> Application:
    """A pending application, submitted on ``on`` (today by default) by ``user`` or a new account."""
    user = user or UserFactory()
    with travel(on or timezone.localdate()):
        return services.apply_for_membership(
            actor=user,
            branch=branch,
            full_name=full_name,
            agrees_with_aims=True,
            dues_band=band,
            statement=statement,
            **details,
        )


def make_member(
    branch: Branch,
    *,
    joined_on: dt.date | None = None,
    band: str = DuesBand.WAGED,
    user: Any = None,
    full_name: str = "Sam Member",
    approved_by: Any = None,
    **details: Any,
) -> Member:
    """A member admitted on ``joined_on`` (default today): applied and approved that day, nothing paid."""
    joined_on = joined_on or timezone.localdate()
    application = make_application(branch, on=joined_on, user=user, full_name=full_name, band=band, **details)
    with travel(joined_on):
        return services.approve_application(
            actor=approved_by or admissions_officer(), application=application
        )


def pay(
    member: Member,
    amount: Decimal | str | int,
    *,
    paid_on: dt.date,
    by: Any = None,
    method: str = PaymentMethod.STANDING_ORDER,
) -> Payment:
    """Dues recorded on ``paid_on`` (by the national office unless ``by`` is given)."""
    with travel(paid_on):
        return services.record_payment(
            actor=by or admissions_officer(),
            member=member,
            paid_on=paid_on,
            amount=Decimal(amount),
            method=method,
        )


def change_status(
    member: Member, status: str, *, on: dt.date, by: Any = None, reason: str = "Recorded in a test"
) -> Member:
    """A status change taking effect (and recorded) on ``on``."""
    with travel(on):
        return services.change_status(
            actor=by or admissions_officer(), member=member, status=status, reason=reason, effective_on=on
        )


def last_change(member: Member) -> StatusChange:
    """The member's latest status change (the one in force now)."""
    return member.status_changes.order_by("-effective_on", "-recorded_at", "-pk")[0]


def reload(obj: Any) -> Any:
    """A fresh copy from the database, without any per-object caches (roles, relations)."""
    return type(obj)._default_manager.get(pk=obj.pk)
