"""Demo committees for ``seed_demo``: the NC elected at the last conference, the EC it elected, meetings.

Registered in ``demo.apps`` and run after ``demo.members`` has seeded the
people. What it makes:

* the National Committee (NC): 20 members elected at the last annual
  conference (the last Saturday of April at least a hundred days ago),
  with a chair, a minutes secretary, the demo secretary
  (``secretary@awl.example``) and the demo London member
  (``member@awl.example``); it meets every sixth Saturday at 11:00;
* the Executive Committee (EC): 7 of the NC's London members, elected by
  the NC at its first meeting, the same secretary; it meets every Monday at
  19:00 (both Europe/London, through the cycle rules);
* the cycle's meetings for about three months ahead, and the NC's last two
  meetings, held: attendance and apologies, an agenda, the earlier one's
  minutes approved at the later one and published, with a decision and an
  action point for the demo member that is still open; the later one's
  minutes circulated. The next NC meeting's agenda is prepared (carrying
  the open action point forward), for the secretary to publish.

Terms, agendas, attendance, minutes, decisions and action points go
through ``committees.services`` with the secretaries as actors, so the
audit trail reads as real use. The meetings are written as
``schedule_meetings`` writes them, as if the secretary had generated them
after the NC's first meeting: the service itself only makes meetings at
least a notice period from *now*, which would leave out the next ones.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from dateutil.rrule import SA, YEARLY, rrule
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from awl.audit import log_action
from awl.models import AuditEntry, OutboundMessage
from awl.timezones import london_zone
from committees import services
from committees.models import (
    AgendaItem,
    AgendaSection,
    Apology,
    ApologyChannel,
    Attendance,
    Committee,
    CommitteeKind,
    Meeting,
    Minutes,
    Paper,
    Term,
    TermBasis,
    TermRole,
)
from committees.notices import mail_group
from members.models import Member, MemberStatus

DEMO_DOMAIN = "awl.example"
SECRETARY_EMAIL = f"secretary@{DEMO_DOMAIN}"
MEMBER_EMAIL = f"member@{DEMO_DOMAIN}"
NC_SIZE = 20
NC_FROM_LONDON = 9  # besides the two demo logins, both in London
EC_SIZE = 7
HORIZON = dt.timedelta(days=92)
# The EC first: the NC elects it (a protected foreign key), so it goes before the NC.
DEMO_SLUGS = ("ec", "nc")

NC_MINUTES = """Present: see the attendance record. Apologies were received and noted.

1. Minutes of the last meeting were agreed as a true record.
2. Matters arising: the branch reports on the summer schools were received.
3. Reports: the national office reported on membership and dues; the treasurer reported the
   accounts for the quarter.
4. Motions: the NC discussed the NHS pay campaign (see the decision below).
5. Any other business: none.
6. Date of next meeting: as in the cycle.
"""


def last_conference(today: dt.date) -> dt.date:
    """The last annual conference (last Saturday of April) that ended at least a hundred days before today.

    A hundred days leaves room for the NC's first meeting and two held ones since.
    """
    cutoff = dt.datetime.combine(today - dt.timedelta(days=100), dt.time.min)
    saturdays = rrule(YEARLY, bymonth=4, byweekday=SA(-1), dtstart=dt.datetime(today.year - 2, 1, 1))
    found = saturdays.before(cutoff, inc=True)
    assert found is not None  # noqa: S101  (the rule starts two years back)
    return found.date()


def _local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=london_zone())


def _on(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def seed(today: dt.date, rng: random.Random) -> dict[str, int]:
    conference = last_conference(today)
    first_nc = _local(conference + dt.timedelta(days=14), 11)  # a fortnight after conference, a Saturday
    first_ec = _local(first_nc.date() + dt.timedelta(days=2), 19)  # the Monday after
    nc = Committee.objects.create(
        name="National Committee",
        slug="nc",
        kind=CommitteeKind.NATIONAL,
        notice_days=14,
        agenda_deadline_days=7,
        reminder_hours=48,
        quorum_minimum=5,
        quorum_fraction=Decimal("0.5"),
        default_venue="Conway Hall, 25 Red Lion Square, London WC1R 4RL",
        default_online_link=f"https://meet.{DEMO_DOMAIN}/nc",
        cycle_rule="FREQ=WEEKLY;INTERVAL=6;BYDAY=SA",
        cycle_start=first_nc,
        meeting_minutes=300,
    )
    ec = Committee.objects.create(
        name="Executive Committee",
        slug="ec",
        kind=CommitteeKind.EXECUTIVE,
        elected_by=nc,
        notice_days=3,
        agenda_deadline_days=1,
        reminder_hours=24,
        quorum_minimum=3,
        quorum_fraction=Decimal("0.5"),
        default_venue="AWL office, London",
        default_online_link=f"https://meet.{DEMO_DOMAIN}/ec",
        cycle_rule="FREQ=WEEKLY;BYDAY=MO",
        cycle_start=first_ec,
        meeting_minutes=90,
    )

    # Who sits where ------------------------------------------------------------------------
    secretary = Member.objects.select_related("user").get(user__email=SECRETARY_EMAIL)
    member = Member.objects.select_related("user").get(user__email=MEMBER_EMAIL)
    pool = list(
        Member.objects.filter(
            user__email__endswith=f"@members.{DEMO_DOMAIN}",
            status=MemberStatus.MEMBER,
            joined_on__lt=conference,
            erased_at__isnull=True,
        )
        .select_related("user", "branch")
        .order_by("pk")
    )
    rng.shuffle(pool)
    london = [m for m in pool if m.branch.slug == "london"][:NC_FROM_LONDON]
    elsewhere = [m for m in pool if m.branch.slug != "london"][: NC_SIZE - 2 - NC_FROM_LONDON]
    chair, minutes_secretary, *london_rest = london
    nc_roles = [
        (secretary, TermRole.SECRETARY),
        (chair, TermRole.CHAIR),
        (minutes_secretary, TermRole.MINUTES_SECRETARY),
        (member, TermRole.MEMBER),
        *((m, TermRole.MEMBER) for m in [*london_rest, *elsewhere]),
    ]
    for person, role in nc_roles:
        services.start_term(
            actor=None,
            committee=nc,
            member=person,
            role=role,
            starts_on=conference,
            basis=TermBasis.ELECTED_AT_CONFERENCE,
            basis_detail=f"Annual conference {conference.year}",
        )
    ec_roles = [
        (secretary, TermRole.SECRETARY),
        (chair, TermRole.CHAIR),
        (minutes_secretary, TermRole.MINUTES_SECRETARY),
        *((m, TermRole.MEMBER) for m in london_rest[: EC_SIZE - 3]),
    ]
    for person, role in ec_roles:
        services.start_term(
            actor=None,
            committee=ec,
            member=person,
            role=role,
            starts_on=first_nc.date(),
            basis=TermBasis.ELECTED_BY_COMMITTEE,
            basis_detail=f"NC meeting of {_on(first_nc.date())}",
        )

    # Meetings --------------------------------------------------------------------------------
    now = timezone.now()
    held_at = services.cycle_occurrences(nc, after=first_nc - dt.timedelta(minutes=1), until=now)[-2:]
    rows = [_meeting(nc, moment, called=first_nc + dt.timedelta(days=1)) for moment in held_at]
    rows += [
        _meeting(nc, moment, called=first_nc + dt.timedelta(days=1))
        for moment in services.cycle_occurrences(nc, after=now, until=now + HORIZON)
    ]
    rows += [
        _meeting(ec, moment, called=first_ec + dt.timedelta(days=1))
        for moment in services.cycle_occurrences(ec, after=now, until=now + HORIZON)
    ]
    Meeting.objects.bulk_create(rows)
    log_action(actor=secretary.user, action="meetings.scheduled", target=nc, detail={"demo": True})
    log_action(actor=secretary.user, action="meetings.scheduled", target=ec, detail={"demo": True})

    earlier, later = (Meeting.objects.get(committee=nc, occurrence=moment) for moment in held_at)
    nc_members = [person for person, _ in nc_roles]
    motion, _ = (_hold(meeting, secretary, nc_members, rng) for meeting in (earlier, later))
    _minutes(
        motion, later, secretary=secretary, minutes_secretary=minutes_secretary, owner=member, today=today
    )
    upcoming = Meeting.objects.filter(committee=nc, starts_at__gt=now).order_by("starts_at").first()
    if upcoming is not None:
        services.prepare_agenda(actor=secretary.user, meeting=upcoming)
    return {
        "committees": 2,
        "committee terms": len(nc_roles) + len(ec_roles),
        "meetings": len(rows),
    }


def _meeting(committee: Committee, moment: dt.datetime, *, called: dt.datetime) -> Meeting:
    """A cycle meeting as ``schedule_meetings`` makes it, generated on the day ``called``."""
    return Meeting(
        committee=committee,
        starts_at=moment,
        ends_at=moment + dt.timedelta(minutes=committee.meeting_minutes),
        venue=committee.default_venue,
        online_link=committee.default_online_link,
        occurrence=moment,
        called_at=called,
        created_at=called,
    )


def _hold(meeting: Meeting, secretary: Member, members: list[Member], rng: random.Random) -> AgendaItem:
    """The agenda with a motion, apologies from a few, everyone else present; returns the motion."""
    services.prepare_agenda(actor=secretary.user, meeting=meeting)
    motion = services.add_agenda_item(
        actor=secretary.user,
        meeting=meeting,
        section=AgendaSection.MOTIONS,
        title="NHS pay: backing the national demonstration",
        body="Proposed by the health workers' fraction.",
    )
    services.mark_held(actor=secretary.user, meeting=meeting)
    for person in members:
        if person.pk != secretary.pk and rng.random() < 0.15:
            # Sent from the link in the notice before the meeting (the service takes only future meetings).
            Apology.objects.create(
                meeting=meeting,
                member=person,
                channel=ApologyChannel.LINK,
                note="Working a shift that day.",
                sent_at=meeting.starts_at - dt.timedelta(days=rng.randint(1, 6)),
            )
        else:
            services.record_attendance(actor=secretary.user, meeting=meeting, member=person, present=True)
    return motion


def _minutes(
    motion: AgendaItem,
    later: Meeting,
    *,
    secretary: Member,
    minutes_secretary: Member,
    owner: Member,
    today: dt.date,
) -> None:
    """The earlier meeting's minutes approved at the later one and published; the later one's circulated."""
    writer = minutes_secretary.user
    earlier = motion.meeting
    minutes = services.draft_minutes(actor=writer, meeting=earlier, text=NC_MINUTES)
    services.record_decision(
        actor=writer,
        meeting=earlier,
        item=motion,
        text="To back the national demonstration for NHS pay and bring out a bulletin for health workers.",
    )
    services.add_action_point(
        actor=writer,
        meeting=earlier,
        item=motion,
        text="Draft the bulletin for health workers and send it to the NC for comments.",
        owner=owner,
        due_on=today + dt.timedelta(days=14),
    )
    services.circulate_minutes(actor=writer, minutes=minutes)
    services.approve_minutes(actor=secretary.user, minutes=minutes, at_meeting=later)
    services.publish_minutes(actor=secretary.user, minutes=minutes)
    draft = services.draft_minutes(actor=writer, meeting=later, text=NC_MINUTES)
    services.circulate_minutes(actor=writer, minutes=draft)


def cleanup() -> None:
    """Remove the demo committees and every committee row that protects a demo member from deletion."""
    committees = list(Committee.objects.filter(slug__in=DEMO_SLUGS))
    committees.sort(key=lambda c: DEMO_SLUGS.index(c.slug))
    meetings = Meeting.objects.filter(committee__in=committees)
    demo_members = Member.objects.filter(
        Q(user__email__iendswith=f"@{DEMO_DOMAIN}") | Q(user__email__iendswith=f".{DEMO_DOMAIN}")
    )
    targets = {
        Committee: [c.pk for c in committees],
        Meeting: list(meetings.values_list("pk", flat=True)),
        Term: list(Term.objects.filter(committee__in=committees).values_list("pk", flat=True)),
    }
    for model, pks in targets.items():
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id__in=[str(pk) for pk in pks]
        ).delete()
    OutboundMessage.objects.filter(group__in=[mail_group(c) for c in committees]).delete()
    for paper in Paper.objects.filter(item__meeting__in=meetings):
        paper.file.delete(save=False)
    # Minutes point at the meeting that approved them (protected): they go before any meeting.
    Minutes.objects.filter(Q(meeting__in=meetings) | Q(approved_at_meeting__in=meetings)).delete()
    meetings.delete()
    Term.objects.filter(Q(committee__in=committees) | Q(member__in=demo_members)).delete()
    Apology.objects.filter(member__in=demo_members).delete()
    Attendance.objects.filter(member__in=demo_members).delete()
    for committee in committees:
        committee.delete()
