"""The demo people: five branches, about three hundred members with dues histories, and contacts.

``seed_demo`` runs ``seed`` first, before every other area's demo data
(``demo.registry``), which hangs off these people; on ``--force`` it runs
``cleanup`` last, since the other areas' rows (terms of office,
attendance) protect the members.

Officers' roles go through ``services.grant_role``. The crowd is written in
bulk for speed (recording each payment through ``services.record_payment``
at its date would take minutes), so this module applies the services' rules
itself, and the rows it writes are ones the services could have written:

* the status history follows ``ALLOWED_TRANSITIONS``: applicant, admitted by
  an approved application, then lapsed, suspended, resigned or reinstated;
* every payment buys whole months at the band rate in force on the day it
  was paid, and its ``covers_to`` runs on from the previous cover (or from
  the day before dues started), exactly as ``record_payment`` computes it;
* a member still marked *member* is within the grace period today, and a
  lapse is dated the day after the grace period ran out, as the lapsing
  sweep would have dated it (with the warning it would have sent first).
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from awl.models import AuditEntry, OutboundMessage
from members import services
from members.models import (
    Application,
    ApplicationDecision,
    Branch,
    Channel,
    Consent,
    Contact,
    DuesBand,
    DuesRate,
    LapseWarning,
    Member,
    MemberStatus,
    Payment,
    PaymentMethod,
    Role,
    RoleAssignment,
    StatusChange,
    UnionRole,
)
from members.standing import paid_up_to

User = get_user_model()

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (published demo logins, printed on every run)
DEMO_DOMAIN = "awl.example"
SEED = 2026
MEMBER_COUNT = 300
CONTACT_COUNT = 150

BRANCHES = [
    ("London", "london"),
    ("Sheffield", "sheffield"),
    ("Leeds", "leeds"),
    ("Liverpool", "liverpool"),
    ("Manchester", "manchester"),
]
BRANCH_WEIGHTS = {"london": 110, "manchester": 55, "leeds": 50, "sheffield": 45, "liverpool": 40}

# Monthly dues per band, from a date: the rise of April 2024 shows in the histories.
RATES = [
    (DuesBand.WAGED, "8.00", dt.date(2015, 1, 1)),
    (DuesBand.LOW_WAGED, "4.00", dt.date(2015, 1, 1)),
    (DuesBand.UNWAGED, "1.00", dt.date(2015, 1, 1)),
    (DuesBand.WAGED, "10.00", dt.date(2024, 4, 1)),
    (DuesBand.LOW_WAGED, "5.00", dt.date(2024, 4, 1)),
]


@dataclass(frozen=True)
class Login:
    email: str
    who: str


LOGINS = [
    Login(
        "member@awl.example",
        "Member of London branch, in good standing; on the National Committee (votes in its EC by-election)",
    ),
    Login("secretary@awl.example", "Secretary of the National Committee and the Executive Committee"),
    Login("applicant@awl.example", "Applicant waiting for a decision from London branch"),
    Login("london.organiser@awl.example", "Branch organiser, London"),
    Login("leeds.organiser@awl.example", "Branch organiser, Leeds"),
    Login("treasurer@awl.example", "Branch treasurer, London"),
    Login("dayschools@awl.example", "Day-school organiser"),
    Login("cac@awl.example", "Conference arrangements committee"),
    Login(
        "office@awl.example",
        "National office (staff; Django admin); returning officer of the EC by-elections",
    ),
]

WOMEN = [
    "Aisha", "Amara", "Bethany", "Chloe", "Ciara", "Deborah", "Eleanor", "Fatima", "Grace", "Hannah",
    "Helen", "Imogen", "Jasmine", "Joanne", "Karen", "Katherine", "Laura", "Leanne", "Lucy", "Maria",
    "Megan", "Nadia", "Niamh", "Olivia", "Priya", "Rachel", "Rebecca", "Rosa", "Ruth", "Samina",
    "Sarah", "Siobhan", "Sophie", "Tamsin", "Yasmin", "Zainab", "Agnieszka", "Margaret", "Elizabeth",
    "Shireen",
]  # fmt: skip
MEN = [
    "Aaron", "Adebayo", "Alexander", "Ali", "Andrew", "Callum", "Ciaran", "Daniel", "David", "Declan",
    "Ewan", "Gareth", "Hamza", "Harry", "Ibrahim", "Jack", "James", "Jamal", "Kwame", "Liam",
    "Marcus", "Matthew", "Michael", "Mohammed", "Nathan", "Oliver", "Owen", "Patrick", "Rhys", "Robert",
    "Samuel", "Sean", "Simon", "Stephen", "Thomas", "Tomasz", "Tariq", "William", "Yusuf", "Kieran",
]  # fmt: skip
SURNAMES = [
    "Ahmed", "Ali", "Anderson", "Atkinson", "Bailey", "Begum", "Bennett", "Brown", "Campbell", "Chowdhury",
    "Clarke", "Collins", "Davies", "Doherty", "Edwards", "Evans", "Fletcher", "Gallagher", "Green", "Hall",
    "Harris", "Hughes", "Hussain", "Iqbal", "Jackson", "James", "Johnson", "Jones", "Kaur", "Kelly",
    "Khan", "Kowalski", "Lewis", "Mahmood", "Martin", "McCarthy", "Mensah", "Mitchell", "Morgan", "Murphy",
    "Nowak", "O'Brien", "O'Connor", "Okafor", "Okonkwo", "Parker", "Patel", "Price", "Quinn", "Rahman",
    "Roberts", "Robinson", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Thompson", "Walker", "Ward",
    "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young", "Yilmaz", "Adeyemi", "Byrne",
]  # fmt: skip
SHORT_NAMES = {
    "Katherine": "Kate", "Elizabeth": "Liz", "Margaret": "Maggie", "Rebecca": "Becky", "Alexander": "Alex",
    "Samuel": "Sam", "William": "Will", "Robert": "Rob", "Matthew": "Matt", "Thomas": "Tom", "Daniel": "Dan",
}  # fmt: skip

# Workplaces by industry, with the union organising there; {city} is the branch's city.
WORKPLACES = [
    ("{city} Royal Infirmary", "Health", "UNISON"),
    ("{city} General Hospital", "Health", "Unite"),
    ("{city} City Council", "Local government", "UNISON"),
    ("{city} City Council refuse depot", "Local government", "GMB"),
    ("{city} bus garage", "Transport", "Unite"),
    ("{city} station", "Rail", "RMT"),
    ("{city} mail centre", "Post", "CWU"),
    ("{city} delivery office", "Post", "CWU"),
    ("Jobcentre Plus, {city}", "Civil service", "PCS"),
    ("HM Revenue and Customs, {city}", "Civil service", "PCS"),
    ("University of {city}", "Higher education", "UCU"),
    ("{city} College", "Further education", "UCU"),
    ("A primary school in {city}", "Education", "NEU"),
    ("A secondary school in {city}", "Education", "NEU"),
    ("A parcel distribution centre near {city}", "Logistics", "GMB"),
    ("A supermarket in {city}", "Retail", "Usdaw"),
    ("A care home in {city}", "Social care", "GMB"),
    ("A call centre in {city}", "Telecoms", "CWU"),
    ("{city} fire station", "Fire and rescue", "FBU"),
    ("A housing association in {city}", "Housing", "Unite"),
]
STATEMENTS = [
    "I have been coming to the branch's public meetings and want to get more involved.",
    "Met comrades on the picket line during our strike and agree with the paper's line on the unions.",
    "After the day school on Marxists and the trade unions I want to join and help build the branch.",
    "I'm a union rep and want to be part of an organised socialist current in the workplace.",
    "I have read Solidarity for a year and agree with the politics.",
    "",
]
RESIGNATION_REASONS = [
    "Moving abroad for work",
    "Family commitments; may rejoin later",
    "Political disagreement, explained in a letter to the branch",
    "Moving away; no branch nearby",
    "Personal reasons",
]
SUSPENSION_REASONS = [
    "Complaint under investigation by the disputes committee",
    "Pending a disciplinary hearing",
]
DECLINE_REASONS = [
    "We could not reach you to talk about joining; please get in touch with the branch.",
    "You live outside the branch's area; we have passed your details to the nearest branch.",
]
HOW_MET = ["day school", "picket line", "public meeting", "stall"]
CONTACT_NOTES = [
    "Interested in the housing campaign.",
    "Bought the paper; wants to come to the next day school.",
    "Works in the NHS, UNISON member.",
    "Student, interested in the reading group.",
    "Asked about joining; follow up after the summer.",
    "",
    "",
]
OTHER_CITIES = ["Bristol", "Newcastle", "Nottingham", "Brighton", "Glasgow"]


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def aware(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """``day`` at that London time, or now if that is still to come: nothing is dated after the seed ran."""
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))), timezone.now())


class Rates:
    def __init__(self, rates: list[DuesRate]) -> None:
        self.rates = sorted(rates, key=lambda r: r.valid_from, reverse=True)

    def on(self, band: str, day: dt.date) -> Decimal:
        return next(r.monthly_amount for r in self.rates if r.band == band and r.valid_from <= day)


@dataclass
class Ledger:
    """One member's dues, by the rule of ``services.record_payment``."""

    band: str
    dues_from: dt.date
    rates: Rates
    latest_cover: dt.date | None = None
    payments: list[Payment] = field(default_factory=list)

    def paid_up_to(self) -> dt.date:
        up_to = paid_up_to(self.latest_cover, self.dues_from)
        assert up_to is not None  # noqa: S101  (dues_from is always set)
        return up_to

    def pay(self, paid_on: dt.date, months: int, method: str) -> None:
        covers_to = self.paid_up_to() + relativedelta(months=months)
        self.payments.append(
            Payment(
                paid_on=paid_on,
                amount=self.rates.on(self.band, paid_on) * months,
                method=method,
                months=months,
                covers_to=covers_to,
                recorded_at=aware(paid_on, 18),
            )
        )
        self.latest_cover = max(covers_to, self.latest_cover or covers_to)


@dataclass
class Person:
    first: str
    last: str
    email: str
    branch: Branch
    band: str
    preferred: str = ""
    pronouns: str = ""
    login: bool = False


@dataclass
class Built:
    """Everything written for one member, before their primary keys exist."""

    member: Member
    changes: list[StatusChange] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    warnings: list[LapseWarning] = field(default_factory=list)


def seed(today: dt.date, rng: random.Random) -> dict[str, int]:
    """The people: branches, dues rates, the demo logins, the crowd with their histories, contacts."""
    return Seeder(rng, today).run()


def exists() -> bool:
    """Whether there are members already, or any demo login: then ``seed_demo`` loads nothing."""
    return (
        Member.objects.exists() or User.objects.filter(email__in=[login.email for login in LOGINS]).exists()
    )


def cleanup() -> None:
    """Remove the people an earlier run made: every account at the demo domain and what hangs off it.

    ``seed_demo --force`` runs the other areas' cleanups first: their rows protect the members.
    """
    users = User.objects.filter(Q(email__iendswith=f"@{DEMO_DOMAIN}") | Q(email__iendswith=f".{DEMO_DOMAIN}"))
    members = Member.objects.filter(user__in=users)
    member_ids = [str(pk) for pk in members.values_list("pk", flat=True)]
    role_ids = [str(pk) for pk in RoleAssignment.objects.filter(user__in=users).values_list("pk", flat=True)]
    AuditEntry.objects.filter(
        Q(target_type=ContentType.objects.get_for_model(Member), target_id__in=member_ids)
        | Q(target_type=ContentType.objects.get_for_model(RoleAssignment), target_id__in=role_ids)
    ).delete()
    OutboundMessage.objects.filter(to__in=users.values("email")).delete()
    Payment.objects.filter(member__in=members).delete()
    Contact.objects.filter(Q(created_by__in=users) | Q(became_member__in=members)).delete()
    members.delete()
    users.delete()


class Seeder:
    """Builds the demo rows from one seeded random generator, so every run makes the same people."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.grace = dt.timedelta(days=settings.AWL_DUES_GRACE_DAYS)
        self.warning = dt.timedelta(days=settings.AWL_LAPSE_WARNING_DAYS)
        self.used_emails: set[str] = set()
        self.phones = self.phone_numbers()

    # Setup ---------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        self.branches = {
            slug: Branch.objects.get_or_create(slug=slug, defaults={"name": name, "city": name})[0]
            for name, slug in BRANCHES
        }
        for band, amount, valid_from in RATES:
            DuesRate.objects.get_or_create(
                band=band, valid_from=valid_from, defaults={"monthly_amount": Decimal(amount)}
            )
        self.rates = Rates(list(DuesRate.objects.all()))

        demo = self.demo_people()
        people = demo + self.crowd(MEMBER_COUNT - len(demo))
        users = self.create_users(people)
        self.office = users["office@awl.example"]
        self.roles_since = self.today - dt.timedelta(days=self.rng.randint(150, 400))
        self.organisers = self.grant_roles(users, people)

        built = [self.build_member(person, users[person.email]) for person in people]
        for b in built:
            b.member.user.date_joined = b.member.created_at - dt.timedelta(days=1)
        User.objects.bulk_update([b.member.user for b in built], ["date_joined"])
        members = Member.objects.bulk_create([b.member for b in built])
        for b, member in zip(built, members, strict=True):
            rows: list[StatusChange | Application | Payment | Consent | LapseWarning] = [
                *b.changes,
                *b.applications,
                *b.payments,
                *b.consents,
                *b.warnings,
            ]
            for row in rows:
                row.member = member
        StatusChange.objects.bulk_create([c for b in built for c in b.changes])
        Application.objects.bulk_create([a for b in built for a in b.applications])
        Payment.objects.bulk_create([p for b in built for p in b.payments])
        Consent.objects.bulk_create([c for b in built for c in b.consents])
        LapseWarning.objects.bulk_create([w for b in built for w in b.warnings])
        contacts = self.create_contacts(members)
        return {
            "branches": len(self.branches),
            "members": len(members),
            "payments": sum(len(b.payments) for b in built),
            "contacts": contacts,
        }

    def phone_numbers(self) -> Iterator[str]:
        """Ofcom's range reserved for drama: 07700 900000 to 900999, never a real line."""
        numbers = list(range(1000))
        self.rng.shuffle(numbers)
        return (f"07700 900{n:03d}" for n in numbers)

    def person(self, branch: Branch, *, email: str | None = None, login: bool = False) -> Person:
        women = self.rng.random() < 0.5
        first = self.rng.choice(WOMEN if women else MEN)
        last = self.rng.choice(SURNAMES)
        if email is None:
            local = f"{ascii_slug(first)}.{ascii_slug(last)}"
            email = f"{local}@members.{DEMO_DOMAIN}"
            n = 2
            while email in self.used_emails:
                email = f"{local}{n}@members.{DEMO_DOMAIN}"
                n += 1
        self.used_emails.add(email)
        roll = self.rng.random()
        pronouns = ("she/her" if women else "he/him") if roll < 0.3 else ("they/them" if roll < 0.35 else "")
        band = self.rng.choices([DuesBand.WAGED, DuesBand.LOW_WAGED, DuesBand.UNWAGED], [65, 25, 10])[0]
        preferred = SHORT_NAMES.get(first, "") if self.rng.random() < 0.6 else ""
        return Person(first, last, email, branch, band, preferred, pronouns, login)

    def demo_people(self) -> list[Person]:
        b = self.branches
        homes = {
            "member@awl.example": b["london"],
            "secretary@awl.example": b["london"],
            "applicant@awl.example": b["london"],
            "london.organiser@awl.example": b["london"],
            "leeds.organiser@awl.example": b["leeds"],
            "treasurer@awl.example": b["london"],
            "dayschools@awl.example": b["sheffield"],
            "cac@awl.example": b["manchester"],
        }
        return [self.person(branch, email=email, login=True) for email, branch in homes.items()]

    def crowd(self, count: int) -> list[Person]:
        slugs = list(BRANCH_WEIGHTS)
        weights = list(BRANCH_WEIGHTS.values())
        return [self.person(self.branches[self.rng.choices(slugs, weights)[0]]) for _ in range(count)]

    def create_users(self, people: list[Person]) -> dict[str, Any]:
        # Hashing is deliberately slow, so the one demo password is hashed once; the
        # crowd cannot log in (unusable passwords), only the printed demo logins can.
        demo_hash = make_password(DEMO_PASSWORD)
        # Sign-up dates are set to the day before each application once the histories exist.
        joined = timezone.now()
        rows = [
            User(
                username="office",
                email="office@awl.example",
                first_name="National",
                last_name="Office",
                # Staff, for the admin as a last resort, through a group's model permissions (below);
                # not a superuser: that flag is for emergencies and grants nothing on the site.
                is_staff=True,
                password=demo_hash,
                date_joined=joined,
            )
        ]
        for p in people:
            rows.append(
                User(
                    username=p.email.split("@")[0]
                    if p.login
                    else p.email.removesuffix(f"@members.{DEMO_DOMAIN}"),
                    email=p.email,
                    first_name=p.first,
                    last_name=p.last,
                    password=demo_hash if p.login else make_password(None),
                    date_joined=joined,
                )
            )
        users = User.objects.bulk_create(rows)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users]
        )
        return {u.email: u for u in users}

    def grant_roles(self, users: dict[str, Any], people: list[Person]) -> dict[str, Any]:
        """The demo officers, plus an organiser and a treasurer for every other branch; returns organisers."""

        def grant(user: Any, role: Role, branch: Branch | None = None) -> None:
            services.grant_role(actor=None, user=user, role=role, branch=branch, starts_on=self.roles_since)

        b = self.branches
        grant(users["office@awl.example"], Role.NATIONAL_OFFICE)
        admin_group, _ = Group.objects.get_or_create(name="National office (admin)")
        admin_group.permissions.set(Permission.objects.all())
        users["office@awl.example"].groups.add(admin_group)
        grant(users["london.organiser@awl.example"], Role.BRANCH_ORGANISER, b["london"])
        grant(users["leeds.organiser@awl.example"], Role.BRANCH_ORGANISER, b["leeds"])
        grant(users["treasurer@awl.example"], Role.BRANCH_TREASURER, b["london"])
        grant(users["dayschools@awl.example"], Role.DAYSCHOOL_ORGANISER)
        grant(users["cac@awl.example"], Role.CAC)
        organisers = {
            "london": users["london.organiser@awl.example"],
            "leeds": users["leeds.organiser@awl.example"],
        }
        self.officer_emails = {login.email for login in LOGINS}
        crowd = [p for p in people if not p.login]
        for slug, branch in b.items():
            locals_ = [p for p in crowd if p.branch == branch and p.email not in self.officer_emails]
            if slug not in organisers:
                organiser = locals_.pop(0)
                grant(users[organiser.email], Role.BRANCH_ORGANISER, branch)
                organisers[slug] = users[organiser.email]
                self.officer_emails.add(organiser.email)
            if slug != "london":
                treasurer = locals_.pop(0)
                grant(users[treasurer.email], Role.BRANCH_TREASURER, branch)
                self.officer_emails.add(treasurer.email)
        return organisers

    def approver(self, branch: Branch, on: dt.date) -> Any:
        """Who could decide for the branch that day: its organiser once in post, before that the office."""
        return self.organisers[branch.slug] if on >= self.roles_since else self.office

    # One member's history ---------------------------------------------------------------------
    def build_member(self, person: Person, user: Any) -> Built:
        rng = self.rng
        today = self.today
        if person.email == "applicant@awl.example":
            fate = "applicant"
        elif person.login or person.email in self.officer_emails:
            fate = "member"
        else:
            fate = rng.choices(
                [
                    "member",
                    "arrears",
                    "lapsed",
                    "reinstated",
                    "resigned",
                    "suspended",
                    "applicant",
                    "declined",
                ],
                [178, 30, 25, 6, 15, 5, 25, 4],
            )[0]
        city = person.branch.city
        workplace, industry, union = rng.choice(WORKPLACES)
        has_union = rng.random() < 0.85
        union_role = rng.choices(
            [UnionRole.NONE, UnionRole.REP, UnionRole.SHOP_STEWARD, UnionRole.BRANCH_OFFICER], [70, 18, 6, 6]
        )[0]
        member = Member(
            user=user,
            full_name=f"{person.first} {person.last}",
            preferred_name=person.preferred,
            pronouns=person.pronouns,
            phone=next(self.phones) if rng.random() < 0.8 else "",
            branch=person.branch,
            dues_band=person.band,
            workplace=workplace.format(city=city) if person.band != DuesBand.UNWAGED else "",
            industry=industry if person.band != DuesBand.UNWAGED else "",
            trade_union=union if has_union else "",
            union_role=union_role if has_union else UnionRole.NONE,
        )
        built = Built(member)

        if fate in ("applicant", "declined"):
            applied = today - dt.timedelta(
                days=rng.randint(0, 25) if fate == "applicant" else rng.randint(40, 200)
            )
            self.apply(built, applied)
            if fate == "declined":
                self.decide(built, applied + dt.timedelta(days=rng.randint(3, 14)), approved=False)
            member.status = MemberStatus.APPLICANT
            member.created_at = aware(applied, 9)
            member.updated_at = built.applications[-1].decided_at or member.created_at
            self.consent(built, applied)
            return built

        # Admission: most within the last two years, some long-standing members.
        if person.login or person.email in self.officer_emails:
            joined = today - dt.timedelta(days=rng.randint(900, 2500))
        elif rng.random() < 0.7:
            joined = today - dt.timedelta(days=rng.randint(30, 730))
        else:
            joined = today - dt.timedelta(days=rng.randint(731, 2900))
        if fate in ("lapsed", "reinstated", "resigned") and joined > today - dt.timedelta(days=300):
            joined = today - dt.timedelta(days=rng.randint(300, 1500))
        applied = joined - dt.timedelta(days=rng.randint(2, 20))
        self.apply(built, applied)
        self.decide(built, joined, approved=True)
        member.joined_on = member.dues_from = joined
        member.created_at = aware(applied, 9)
        self.change(
            built, MemberStatus.MEMBER, joined, "Application approved", self.approver(person.branch, joined)
        )
        ledger = Ledger(person.band, joined, self.rates)
        style = rng.choices(["monthly", "quarterly", "yearly"], [70, 20, 10])[0]
        status = MemberStatus.MEMBER

        if fate == "member":
            self.keep_paying(ledger, style, until_cover=today)
        elif fate == "arrears":
            # Behind, but still inside the grace period: the sweep has warned or will warn them.
            self.keep_paying(
                ledger, "monthly", until_cover=today - dt.timedelta(days=rng.randint(10, self.grace.days - 5))
            )
        elif fate in ("lapsed", "reinstated"):
            stop = today - self.grace - dt.timedelta(days=rng.randint(30, 250))
            self.keep_paying(ledger, style, until_cover=max(stop, joined))
            lapsed_on = ledger.paid_up_to() + self.grace + dt.timedelta(days=1)
            if lapsed_on <= today:
                self.warn(built, ledger.paid_up_to(), lapsed_on - self.warning)
                self.change(built, MemberStatus.LAPSED, lapsed_on, "Dues unpaid past the grace period", None)
                status = MemberStatus.LAPSED
                back = lapsed_on + dt.timedelta(days=rng.randint(20, 150))
                if fate == "reinstated" and back <= today - dt.timedelta(days=7):
                    ledger.dues_from = member.dues_from = back
                    self.change(
                        built,
                        MemberStatus.MEMBER,
                        back,
                        "Rejoined at a branch meeting",
                        self.approver(person.branch, back),
                    )
                    status = MemberStatus.MEMBER
                    self.keep_paying(ledger, "monthly", until_cover=today)
            else:
                self.keep_paying(ledger, style, until_cover=today)
        elif fate == "resigned":
            resigned_on = today - dt.timedelta(days=rng.randint(10, 250))
            # Paid up close enough to the resignation that the sweep never lapsed them first.
            behind = dt.timedelta(days=rng.randint(0, self.grace.days - 5))
            self.keep_paying(ledger, style, until_cover=max(joined, resigned_on - behind))
            self.change(built, MemberStatus.RESIGNED, resigned_on, rng.choice(RESIGNATION_REASONS), user)
            status = MemberStatus.RESIGNED
        elif fate == "suspended":
            suspended_on = max(joined + dt.timedelta(days=7), today - dt.timedelta(days=rng.randint(5, 80)))
            self.keep_paying(ledger, style, until_cover=suspended_on)
            self.change(
                built, MemberStatus.SUSPENDED, suspended_on, rng.choice(SUSPENSION_REASONS), self.office
            )
            status = MemberStatus.SUSPENDED

        if (
            status == MemberStatus.MEMBER
            and ledger.paid_up_to() + self.grace + dt.timedelta(days=1) - self.warning <= today
        ):
            self.warn(
                built,
                ledger.paid_up_to(),
                ledger.paid_up_to() + self.grace + dt.timedelta(days=1) - self.warning,
            )
        member.status = status
        member.updated_at = max(c.recorded_at for c in built.changes)
        built.payments = ledger.payments
        self.consent(built, applied)
        return built

    def keep_paying(self, ledger: Ledger, style: str, *, until_cover: dt.date) -> None:
        """Pay as each cover runs out (a few days early at most) until dues are paid up to ``until_cover``.

        Payments more than two years old were yearly: the branch's records from
        before the standing orders. Each payment starts no earlier than dues.
        """
        months = {"monthly": 1, "quarterly": 3, "yearly": 12}[style]
        method = {
            "monthly": PaymentMethod.STANDING_ORDER,
            "quarterly": PaymentMethod.CASH,
            "yearly": PaymentMethod.CARD_ELSEWHERE,
        }[style]
        history_starts = self.today - relativedelta(months=24)
        while ledger.paid_up_to() < until_cover:
            due = ledger.paid_up_to() + dt.timedelta(days=1)
            paid_on = min(max(ledger.dues_from, due - dt.timedelta(days=self.rng.randint(0, 4))), self.today)
            if paid_on < history_starts:
                ledger.pay(paid_on, 12, PaymentMethod.CARD_ELSEWHERE)
            else:
                ledger.pay(paid_on, months, method)

    def apply(self, built: Built, applied: dt.date) -> None:
        built.changes.append(
            StatusChange(
                status=MemberStatus.APPLICANT,
                effective_on=applied,
                recorded_at=aware(applied, 9),
                actor=built.member.user,
            )
        )
        built.applications.append(
            Application(
                branch=built.member.branch,
                statement=self.rng.choice(STATEMENTS),
                agrees_with_aims=True,
                submitted_at=aware(applied, 9),
            )
        )

    def decide(self, built: Built, on: dt.date, *, approved: bool) -> None:
        application = built.applications[-1]
        application.decided_at = aware(on, 19)
        application.decided_by = self.approver(built.member.branch, on)
        if approved:
            application.decision = ApplicationDecision.APPROVED
        else:
            application.decision = ApplicationDecision.DECLINED
            application.reason = self.rng.choice(DECLINE_REASONS)

    def change(self, built: Built, status: MemberStatus, on: dt.date, reason: str, actor: Any) -> None:
        built.changes.append(
            StatusChange(
                status=status, effective_on=on, recorded_at=aware(on, 20), actor=actor, reason=reason
            )
        )

    def warn(self, built: Built, up_to: dt.date, sent_on: dt.date) -> None:
        built.warnings.append(LapseWarning(paid_up_to=up_to, sent_at=aware(max(sent_on, up_to), 7)))

    def consent(self, built: Built, on: dt.date) -> None:
        choices = {Channel.EMAIL: 0.92, Channel.PHONE: 0.5, Channel.SMS: 0.35, Channel.POST: 0.1}
        for channel, chance in choices.items():
            if self.rng.random() < chance:
                built.consents.append(
                    Consent(
                        channel=channel,
                        granted=True,
                        recorded_at=aware(on, 9),
                        source="membership application",
                    )
                )

    # Contacts ------------------------------------------------------------------------------------
    def create_contacts(self, members: list[Member]) -> int:
        rng = self.rng
        slugs = list(BRANCH_WEIGHTS)
        contacts: list[Contact] = []
        consents: list[Consent] = []
        emails: set[str] = set()
        # Some members first met us as contacts: their contact record points at them.
        approved = [m for m in members if m.joined_on and m.user.email not in self.officer_emails]
        for member in rng.sample(approved, 15):
            met = member.created_at.date() - dt.timedelta(days=rng.randint(20, 200))
            contacts.append(
                Contact(
                    full_name=member.full_name,
                    email=member.user.email,
                    city=member.branch.city,
                    branch=member.branch,
                    how_met=rng.choice(HOW_MET),
                    created_at=aware(met, 15),
                    updated_at=member.created_at,
                    created_by=self.organisers[member.branch.slug],
                    became_member=member,
                )
            )
            emails.add(member.user.email)
        while len(contacts) < CONTACT_COUNT:
            first = rng.choice(WOMEN + MEN)
            last = rng.choice(SURNAMES)
            elsewhere = rng.random() < 0.1
            branch = (
                None if elsewhere else self.branches[rng.choices(slugs, list(BRANCH_WEIGHTS.values()))[0]]
            )
            email = ""
            if rng.random() < 0.8:
                email = f"{ascii_slug(first)}.{ascii_slug(last)}{rng.randint(1, 99)}@contacts.{DEMO_DOMAIN}"
                if email in emails:
                    continue
                emails.add(email)
            met = self.today - dt.timedelta(days=rng.randint(3, 500))
            contact = Contact(
                full_name=f"{first} {last}",
                email=email,
                phone=next(self.phones) if rng.random() < 0.5 else "",
                city=rng.choice(OTHER_CITIES) if branch is None else branch.city,
                branch=branch,
                how_met=rng.choice(HOW_MET),
                notes=rng.choice(CONTACT_NOTES),
                created_at=aware(met, 15),
                updated_at=aware(met, 15),
                created_by=self.office if branch is None else self.organisers[branch.slug],
            )
            contacts.append(contact)
        created = Contact.objects.bulk_create(contacts)
        for contact in created:
            if contact.email and contact.became_member_id is None and rng.random() < 0.7:
                consents.append(
                    Consent(
                        contact=contact,
                        channel=Channel.EMAIL,
                        granted=True,
                        recorded_at=contact.created_at,
                        source=contact.how_met,
                    )
                )
        Consent.objects.bulk_create(consents)
        return len(created)
