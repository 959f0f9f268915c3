"""Every change to committees, their meetings, agendas, attendance and minutes.

One transaction per function, keyword-only arguments, an ``actor``, an
audit entry, and ``CommitteeError`` with a message fit to show. Notices are
not sent from here: the sweep in ``committees.notices`` works out what is
due from the state these functions leave.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from awl import outbox
from awl.audit import log_action
from awl.errors import DomainError, require
from awl.models import OutboundMessage
from awl.timezones import london_zone
from committees import hooks, papers
from committees.models import (
    STANDARD_ORDER,
    ActionPoint,
    AgendaItem,
    AgendaSection,
    Apology,
    ApologyChannel,
    Attendance,
    CalendarToken,
    Committee,
    Decision,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Paper,
    Term,
    TermRole,
)
from committees.notices import mail_group
from members.models import Member

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class CommitteeError(DomainError):
    """A committee rule refused the change; the message is shown to the person."""


_require = partial(require, error=CommitteeError)


# Cycles ------------------------------------------------------------------------------------
_UNTIL = re.compile(r"(?<![A-Z])UNTIL=([^;]*)", re.IGNORECASE)
_UNTIL_VALUE = re.compile(r"(\d{8})(?:T(\d{6})(Z?))?")


def _until_as_local(rule: str, zone: ZoneInfo) -> str:
    """The rule with its UNTIL as a local wall-clock time, since the rule runs on naive local times.

    RFC 5545 writes UNTIL as a date or as a UTC date-time (``20260727T180000Z``);
    anything else (dateutil would guess at ``2026-07-27``) is refused.
    """
    found = _UNTIL.search(rule)
    if found is None:
        return rule
    value = _UNTIL_VALUE.fullmatch(found.group(1).strip())
    if value is None:
        raise CommitteeError("The cycle's UNTIL must be a date (20261231) or a UTC time (20261231T180000Z).")
    day, time, utc = value.groups()
    if not time:
        return rule
    try:
        moment = dt.datetime.strptime(day + time, "%Y%m%d%H%M%S")
    except ValueError:
        raise CommitteeError("The cycle's UNTIL is not a real date and time.") from None
    if utc:
        moment = moment.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)
    return rule[: found.start(1)] + moment.strftime("%Y%m%dT%H%M%S") + rule[found.end(1) :]


def parse_cycle(rule: str, start: dt.datetime) -> rrule:
    """The committee's RFC 5545 rule as local wall-clock occurrences from ``start``.

    The rule runs on naive local times, each made aware in Europe/London
    afterwards, so a 19:00 meeting stays at 19:00 across the clocks change.
    """
    zone = london_zone()
    local_start = timezone.localtime(start, zone).replace(tzinfo=None)
    try:
        parsed = rrulestr(_until_as_local(rule, zone), dtstart=local_start)
    except (ValueError, TypeError) as exc:
        raise CommitteeError(f"The meeting cycle is not a recurrence rule we understand: {exc}") from None
    if not isinstance(parsed, rrule):
        raise CommitteeError("The meeting cycle must be a single recurrence rule.")
    if parsed.after(local_start, inc=True) is None:
        raise CommitteeError("The meeting cycle never produces a meeting.")
    return parsed


def cycle_occurrences(committee: Committee, *, after: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Aware datetimes of the cycle's occurrences in (after, until]."""
    if not committee.cycle_rule or committee.cycle_start is None:
        raise CommitteeError(f"{committee} has no meeting cycle set.")
    zone = london_zone()
    rule = parse_cycle(committee.cycle_rule, committee.cycle_start)
    naive_after = timezone.localtime(after, zone).replace(tzinfo=None)
    naive_until = timezone.localtime(until, zone).replace(tzinfo=None)
    return [moment.replace(tzinfo=zone) for moment in rule.between(naive_after, naive_until, inc=True)]


# Meetings are arranged at most this far ahead; the forms hold their dates to it as well.
SCHEDULE_AHEAD = dt.timedelta(days=3 * 366)


@transaction.atomic
def schedule_meetings(
    *, actor: User | None, committee: Committee, until: dt.date
) -> dict[str, list[Meeting] | list[dt.datetime]]:
    """Generate the cycle's meetings up to a horizon; existing ones are left as they are.

    Occurrences too soon to be given the rules' notice are not created (an
    emergency meeting is called separately, with a reason).
    """
    _require(
        actor,
        "committees.manage_meetings",
        committee,
        f"Only the secretary of {committee} can schedule its meetings.",
    )
    now = timezone.now()
    horizon = dt.datetime.combine(until, dt.time.max, tzinfo=london_zone())
    if horizon <= now:
        raise CommitteeError("The horizon must be in the future.")
    if horizon > now + SCHEDULE_AHEAD:
        raise CommitteeError("Meetings can be generated at most three years ahead.")
    earliest = now + dt.timedelta(days=committee.notice_days)
    created: list[Meeting] = []
    too_soon: list[dt.datetime] = []
    existing = set(
        Meeting.objects.filter(committee=committee, occurrence__isnull=False).values_list(
            "occurrence", flat=True
        )
    )
    for occurrence in cycle_occurrences(committee, after=now, until=horizon):
        if occurrence in existing:
            continue
        if occurrence < earliest:
            too_soon.append(occurrence)
            continue
        created.append(
            Meeting(
                committee=committee,
                starts_at=occurrence,
                ends_at=occurrence + dt.timedelta(minutes=committee.meeting_minutes),
                venue=committee.default_venue,
                online_link=committee.default_online_link,
                occurrence=occurrence,
                called_at=now,
            )
        )
    Meeting.objects.bulk_create(created, ignore_conflicts=True)
    log_action(
        actor=actor,
        action="meetings.scheduled",
        target=committee,
        detail={"created": len(created), "until": until.isoformat(), "too_soon": len(too_soon)},
    )
    if created:
        hooks.meetings_created(committee)
    return {"created": created, "too_soon": too_soon}


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise CommitteeError("A meeting must end after it starts.")
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise CommitteeError("A meeting cannot last more than a day.")
    if starts_at <= timezone.now():
        raise CommitteeError("A meeting must be in the future.")


@transaction.atomic
def call_meeting(
    *,
    actor: User | None,
    committee: Committee,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: str = "",
    online_link: str = "",
    emergency: bool = False,
    emergency_reason: str = "",
) -> Meeting:
    """An extra meeting; one with less than the rules' notice must be an emergency, with a reason."""
    _require(
        actor,
        "committees.manage_meetings",
        committee,
        f"Only the secretary of {committee} can call its meetings.",
    )
    _check_times(starts_at, ends_at)
    notice = dt.timedelta(days=committee.notice_days)
    if starts_at - timezone.now() < notice and not emergency:
        raise CommitteeError(
            f"{committee} must be given {committee.notice_days} days' notice; "
            "mark it an emergency meeting and give the reason to call it sooner."
        )
    # Every emergency meeting carries its reason (a check constraint too), however much notice it has.
    if emergency and not emergency_reason.strip():
        raise CommitteeError("Give the reason for calling an emergency meeting.")
    meeting = Meeting.objects.create(
        committee=committee,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue or committee.default_venue,
        online_link=online_link or committee.default_online_link,
        kind=MeetingKind.EMERGENCY if emergency else MeetingKind.EXTRA,
        emergency_reason=emergency_reason.strip() if emergency else "",
    )
    log_action(actor=actor, action="meeting.called", target=meeting, detail={"kind": meeting.kind})
    hooks.meetings_created(committee)
    return meeting


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)


@transaction.atomic
def move_meeting(
    *,
    actor: User | None,
    meeting: Meeting,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: str | None = None,
    online_link: str | None = None,
) -> Meeting:
    """A new date, time or place: members are told once per move (the sweep)."""
    meeting = _lock_meeting(meeting)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary can move its meetings.",
    )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise CommitteeError(f"A {meeting.get_status_display().lower()} meeting cannot be moved.")
    _check_times(starts_at, ends_at)
    changed = [
        field
        for field, value in (
            ("starts_at", starts_at),
            ("ends_at", ends_at),
            ("venue", venue),
            ("online_link", online_link),
        )
        if value is not None and getattr(meeting, field) != value
    ]
    if not changed:
        return meeting
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    if venue is not None:
        meeting.venue = venue
    if online_link is not None:
        meeting.online_link = online_link
    meeting.sequence += 1
    meeting.time_version += 1
    meeting.save(update_fields=["starts_at", "ends_at", "venue", "online_link", "sequence", "time_version"])
    log_action(actor=actor, action="meeting.moved", target=meeting, detail={"fields": changed})
    return meeting


@transaction.atomic
def cancel_meeting(*, actor: User | None, meeting: Meeting, reason: str) -> Meeting:
    meeting = _lock_meeting(meeting)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary can cancel its meetings.",
    )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise CommitteeError(f"A {meeting.get_status_display().lower()} meeting cannot be cancelled.")
    if not reason.strip():
        raise CommitteeError("Give the reason the meeting is cancelled; it goes in the notice.")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason.strip()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "cancel_reason", "sequence"])
    log_action(actor=actor, action="meeting.cancelled", target=meeting)
    return meeting


@transaction.atomic
def mark_held(*, actor: User | None, meeting: Meeting) -> Meeting:
    meeting = _lock_meeting(meeting)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary can mark meetings held.",
    )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise CommitteeError(f"A {meeting.get_status_display().lower()} meeting cannot be marked held.")
    if meeting.starts_at > timezone.now():
        raise CommitteeError("A meeting cannot be held before it starts.")
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status"])
    log_action(actor=actor, action="meeting.held", target=meeting)
    return meeting


# Membership and quorum -----------------------------------------------------------------------
def meeting_day(meeting: Meeting) -> dt.date:
    """The meeting's date in Europe/London: the day whose terms of office count."""
    return timezone.localtime(meeting.starts_at).date()


def current_members(committee: Committee, on: dt.date | None = None) -> QuerySet[Member]:
    """The members holding a term on the date (one row each, whatever their roles), by name."""
    ids = Term.objects.filter(committee=committee).current(on).values("member_id")
    return (
        Member.objects.filter(pk__in=ids, erased_at__isnull=True).select_related("user").order_by("full_name")
    )


def holds_term(committee: Committee, member: Member, day: dt.date) -> bool:
    """Whether the member sits on the committee (in any role) on the date."""
    return Term.objects.filter(committee=committee, member=member).current(day).exists()


def quorum_of(committee: Committee, members: int) -> int:
    """The larger of the committee's minimum and its fraction of ``members``, rounded up."""
    return max(committee.quorum_minimum, math.ceil(committee.quorum_fraction * members))


def quorum(committee: Committee, on: dt.date | None = None) -> int:
    """The quorum on a date, from the members holding a term that day."""
    return quorum_of(committee, current_members(committee, on).count())


def is_quorate(meeting: Meeting) -> bool:
    present = meeting.attendance.filter(present=True).count()
    return present >= quorum(meeting.committee, meeting_day(meeting))


@transaction.atomic
def start_term(
    *,
    actor: User | None,
    committee: Committee,
    member: Member,
    role: str,
    starts_on: dt.date,
    basis: str,
    basis_detail: str = "",
    ends_on: dt.date | None = None,
) -> Term:
    _require(
        actor, "committees.manage_terms", committee, "Only the national office can record terms of office."
    )
    return _create_term(
        actor=actor,
        committee=committee,
        member=member,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        basis=basis,
        basis_detail=basis_detail,
    )


@transaction.atomic
def start_elected_terms(
    *,
    actor: User | None,
    committee: Committee,
    members: list[Member],
    starts_on: dt.date,
    ends_on: dt.date | None,
    basis: str,
    basis_detail: str,
) -> list[Term]:
    """The terms of office of the members an election returned, as ordinary members of the committee.

    For ``conference.results.confirm_result``, which has checked that ``actor`` is
    the election's returning officer: no national-office check here. The same
    rule as ``start_term`` applies to each: nobody holds the role twice over the
    same days; one refusal refuses them all.
    """
    return [
        _create_term(
            actor=actor,
            committee=committee,
            member=member,
            role=TermRole.MEMBER,
            starts_on=starts_on,
            ends_on=ends_on,
            basis=basis,
            basis_detail=basis_detail,
        )
        for member in members
    ]


def _create_term(
    *,
    actor: User | None,
    committee: Committee,
    member: Member,
    role: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    basis: str,
    basis_detail: str,
) -> Term:
    """A term, unless the member already holds the role on the committee on any of its days."""
    if ends_on is not None and ends_on < starts_on:
        raise CommitteeError("A term cannot end before it starts.")
    # Serialise terms for one member: two overlapping terms written at once would each see none.
    Member.objects.select_for_update().filter(pk=member.pk).first()
    overlapping = Term.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on),
        committee=committee,
        member=member,
        role=role,
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if overlapping.exists():
        raise CommitteeError(f"{member} already holds that role on {committee}.")
    term = Term.objects.create(
        committee=committee,
        member=member,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        basis=basis,
        basis_detail=basis_detail,
    )
    log_action(actor=actor, action="term.started", target=term, detail={"member": member.pk, "role": role})
    return term


@transaction.atomic
def end_term(*, actor: User | None, term: Term, ends_on: dt.date, reason: str) -> Term:
    """Resignation, removal or the end of a mandate ends a term on a date."""
    term = Term.objects.select_for_update().select_related("committee").get(pk=term.pk)
    _require(
        actor, "committees.manage_terms", term.committee, "Only the national office can end terms of office."
    )
    if ends_on < term.starts_on:
        raise CommitteeError("A term cannot end before it starts.")
    if not reason.strip():
        raise CommitteeError("Record why the term ends (for example 'resigned').")
    term.ends_on = ends_on
    term.end_reason = reason.strip()
    term.save(update_fields=["ends_on", "end_reason"])
    log_action(actor=actor, action="term.ended", target=term, detail={"reason": term.end_reason})
    return term


# Apologies and attendance -----------------------------------------------------------------------
# Each "..._refused" rule gives the reason the thing cannot be done to the meeting now ("" when it
# can): the service raises it, and the pages offer the button only when it is "".
def apologies_refused(meeting: Meeting) -> str:
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= timezone.now():
        return "Apologies can only be sent for a meeting that is still to come."
    return ""


def attendance_refused(meeting: Meeting) -> str:
    """Attendance is taken on the day (or put right afterwards), never for a cancelled meeting."""
    if meeting.status == MeetingStatus.CANCELLED:
        return "Attendance cannot be recorded for a cancelled meeting."
    if meeting_day(meeting) > timezone.localdate():
        return "Attendance is recorded on the day of the meeting, not before."
    return ""


@transaction.atomic
def send_apologies(
    *, meeting: Meeting, member: Member, channel: str = ApologyChannel.SITE, note: str = ""
) -> Apology:
    """A committee member sends apologies; sending twice keeps the first."""
    meeting = _lock_meeting(meeting)
    if refused := apologies_refused(meeting):
        raise CommitteeError(refused)
    if not holds_term(meeting.committee, member, meeting_day(meeting)):
        raise CommitteeError(f"Only members of {meeting.committee} send apologies for its meetings.")
    apology, created = Apology.objects.get_or_create(
        meeting=meeting, member=member, defaults={"channel": channel, "note": note.strip()[:300]}
    )
    if created:
        log_action(actor=member.user, action="meeting.apologies", target=meeting, detail={"channel": channel})
    return apology


@transaction.atomic
def record_attendance(*, actor: User | None, meeting: Meeting, member: Member, present: bool) -> Attendance:
    """The secretary marks someone present or absent; repeating it changes nothing."""
    meeting = _lock_meeting(meeting)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary records attendance.",
    )
    if refused := attendance_refused(meeting):
        raise CommitteeError(refused)
    if not holds_term(meeting.committee, member, meeting_day(meeting)):
        raise CommitteeError(f"{member} is not a member of {meeting.committee}.")
    attendance, _ = Attendance.objects.update_or_create(
        meeting=meeting,
        member=member,
        defaults={"present": present, "recorded_by": actor, "recorded_at": timezone.now()},
    )
    log_action(
        actor=actor,
        action="meeting.attendance",
        target=meeting,
        detail={"member": member.pk, "present": present},
    )
    return attendance


# Agenda ------------------------------------------------------------------------------------------
def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(committee=meeting.committee, starts_at__lt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at")
        .first()
    )


@transaction.atomic
def prepare_agenda(*, actor: User | None, meeting: Meeting) -> list[AgendaItem]:
    """The standard order of business, with open action points and matters arising carried forward.

    Items already on the agenda (a motion referred by conference lands before the secretary prepares
    it) are kept, each after the standard heading of its section; preparing twice changes nothing.
    """
    meeting = _lock_meeting(meeting)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary prepares the agenda.",
    )
    if meeting.agenda_prepared_at is not None:
        return list(meeting.items.all())
    early = list(meeting.items.order_by("position"))
    # Park the early items past every standard position, then give each a place in its section.
    top = max([item.position for item in early], default=0) + 1
    for n, item in enumerate(early):
        AgendaItem.objects.filter(pk=item.pk).update(position=top + 1000 + n)
    items = [
        AgendaItem(meeting=meeting, position=(index + 1) * 10, section=section, title=section.label)
        for index, section in enumerate(STANDARD_ORDER)
    ]
    AgendaItem.objects.bulk_create(items)
    order = [s.value for s in STANDARD_ORDER]
    placed: dict[str, int] = {}
    for item in early:
        index = order.index(item.section) if item.section in order else len(order) - 1
        placed[item.section] = placed.get(item.section, 0) + 1
        AgendaItem.objects.filter(pk=item.pk).update(position=(index + 1) * 10 + placed[item.section])
    before = previous_meeting(meeting)
    if before is not None:
        matters = meeting.items.filter(section=AgendaSection.MATTERS_ARISING).order_by("position")[0]
        # Open points are listed afresh from every earlier meeting: the previous agenda's text is only
        # linked, not copied, since points it listed may have been done since.
        open_points = ActionPoint.objects.filter(
            meeting__committee=meeting.committee,
            meeting__starts_at__lt=meeting.starts_at,
            done_at__isnull=True,
        ).select_related("owner")
        lines = [f"- {point.text}" + (f" ({point.owner})" if point.owner else "") for point in open_points]
        carried = before.items.filter(section=AgendaSection.MATTERS_ARISING).exclude(body="").first()
        if carried is not None:
            matters.carried_from = carried
        if lines:
            matters.body = "Open action points carried forward:\n" + "\n".join(lines)
        if lines or carried is not None:
            matters.save(update_fields=["body", "carried_from"])
    meeting.agenda_prepared_at = timezone.now()
    meeting.save(update_fields=["agenda_prepared_at"])
    log_action(actor=actor, action="agenda.prepared", target=meeting)
    return list(meeting.items.all())


@transaction.atomic
def add_agenda_item(
    *,
    actor: User | None,
    meeting: Meeting,
    section: str,
    title: str,
    body: str = "",
    renotify: bool = False,
) -> AgendaItem:
    """An item added to the agenda, in its section; ``renotify``: if the agenda is already published,
    the members are sent it again (a referral from conference), not left to find the change."""
    meeting = _lock_meeting(meeting)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary edits the agenda.",
    )
    if not title.strip():
        raise CommitteeError("An agenda item needs a title.")
    same_section = meeting.items.filter(section=section).aggregate(last=Max("position"))["last"]
    order = [s.value for s in STANDARD_ORDER]
    if same_section is None:
        earlier = order[: order.index(section)] if section in order else []
        same_section = meeting.items.filter(section__in=earlier).aggregate(last=Max("position"))["last"] or 0
    position = same_section + 1
    # Shift later items down one, last first, so the unique position never clashes.
    for later in meeting.items.filter(position__gte=position).order_by("-position"):
        later.position += 1
        later.save(update_fields=["position"])
    item = AgendaItem.objects.create(
        meeting=meeting, position=position, section=section, title=title.strip(), body=body
    )
    if renotify and meeting.agenda_published_at is not None:
        # The members have the agenda already: the sweep sends them the new version.
        meeting.agenda_version += 1
        meeting.save(update_fields=["agenda_version"])
    log_action(actor=actor, action="agenda.item_added", target=meeting, detail={"item": item.pk})
    return item


@transaction.atomic
def publish_agenda(*, actor: User | None, meeting: Meeting) -> Meeting:
    meeting = _lock_meeting(meeting)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary publishes the agenda.",
    )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise CommitteeError("Only the agenda of a meeting still to come can be published.")
    if not meeting.items.exists():
        raise CommitteeError("Prepare the agenda before publishing it.")
    if meeting.agenda_published_at is None:
        meeting.agenda_published_at = timezone.now()
        meeting.save(update_fields=["agenda_published_at"])
        log_action(actor=actor, action="agenda.published", target=meeting)
    return meeting


# Agenda editing and papers (the secretary's agenda page) ---------------------------------------
PAPER_TITLE_MAX = 200


def _lock_item(item: AgendaItem) -> tuple[Meeting, AgendaItem]:
    """Lock the item's meeting, as every agenda change does, and read the item as it now stands."""
    meeting = Meeting.objects.select_for_update().select_related("committee").get(pk=item.meeting_id)
    current = AgendaItem.objects.filter(pk=item.pk, meeting=meeting).first()
    if current is None:
        raise CommitteeError("That item is no longer on the agenda.")
    current.meeting = meeting
    return meeting, current


@transaction.atomic
def update_agenda_item(
    *, actor: User | None, item: AgendaItem, title: str, body: str, section: str
) -> AgendaItem:
    meeting, item = _lock_item(item)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary edits the agenda.",
    )
    if not title.strip():
        raise CommitteeError("An agenda item needs a title.")
    if section not in AgendaSection.values:
        raise CommitteeError("Choose one of the sections of the order of business.")
    new = {"title": title.strip(), "body": body, "section": section}
    changed = [field for field, value in new.items() if getattr(item, field) != value]
    if changed:
        for field in changed:
            setattr(item, field, new[field])
        item.save(update_fields=changed)
        log_action(
            actor=actor,
            action="agenda.item_edited",
            target=meeting,
            detail={"item": item.pk, "fields": changed},
        )
    return item


@transaction.atomic
def move_agenda_item(*, actor: User | None, item: AgendaItem, direction: str) -> AgendaItem:
    """Swap the item with the one above ("up") or below ("down") it.

    The unique (meeting, position) constraint is checked row by row, so the
    item is first parked on a free position; the meeting's row lock keeps
    that position free until the swap is done.
    """
    meeting, item = _lock_item(item)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary edits the agenda.",
    )
    if direction == "up":
        neighbour = meeting.items.filter(position__lt=item.position).order_by("-position").first()
    elif direction == "down":
        neighbour = meeting.items.filter(position__gt=item.position).order_by("position").first()
    else:
        raise CommitteeError("An item moves up or down.")
    if neighbour is None:
        raise CommitteeError(
            f"That item is already {'first' if direction == 'up' else 'last'} on the agenda."
        )
    spare = (meeting.items.aggregate(last=Max("position"))["last"] or 0) + 1
    mine, theirs = item.position, neighbour.position
    AgendaItem.objects.filter(pk=item.pk).update(position=spare)
    AgendaItem.objects.filter(pk=neighbour.pk).update(position=mine)
    AgendaItem.objects.filter(pk=item.pk).update(position=theirs)
    item.position = theirs
    log_action(
        actor=actor,
        action="agenda.item_moved",
        target=meeting,
        detail={"item": item.pk, "direction": direction},
    )
    return item


def _delete_files_after_commit(files: list[FieldFile]) -> None:
    """Remove stored files once the rows that named them are gone for good."""
    stored = [(file.storage, file.name) for file in files if file.name]

    def delete() -> None:
        for storage, name in stored:
            storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def delete_agenda_item(*, actor: User | None, item: AgendaItem) -> Meeting:
    """Take an item off the agenda, with its papers (their files go once the change is committed)."""
    meeting, item = _lock_item(item)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary edits the agenda.",
    )
    files = [paper.file for paper in item.papers.all()]
    detail = {"item": item.pk, "title": item.title, "papers": len(files)}
    item.delete()
    _delete_files_after_commit(files)
    log_action(actor=actor, action="agenda.item_deleted", target=meeting, detail=detail)
    return meeting


@transaction.atomic
def attach_paper(*, actor: User | None, item: AgendaItem, title: str, upload: Any) -> Paper:
    """Attach an uploaded file to an agenda item, once its size and type are checked.

    The type is judged by the file's name and its contents (``committees.papers``),
    never by the content type the browser sent. A refused file writes nothing,
    in the database or in storage.
    """
    meeting, item = _lock_item(item)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary attaches papers.",
    )
    title = title.strip()
    if not title:
        raise CommitteeError("A paper needs a title.")
    if len(title) > PAPER_TITLE_MAX:
        raise CommitteeError(f"A paper's title can be at most {PAPER_TITLE_MAX} characters.")
    try:
        checked = papers.check_paper(upload)
    except papers.PaperRefused as exc:
        raise CommitteeError(str(exc)) from None
    paper = Paper(
        item=item,
        title=title,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    upload.seek(0)
    paper.file.save(checked.filename, upload, save=False)
    stored = paper.file.name or ""
    try:
        paper.save()
        log_action(
            actor=actor,
            action="agenda.paper_attached",
            target=meeting,
            detail={"item": item.pk, "paper": paper.pk, "size": checked.size},
        )
    except BaseException:
        paper.file.storage.delete(stored)
        raise
    return paper


@transaction.atomic
def delete_paper(*, actor: User | None, paper: Paper) -> AgendaItem:
    locked = Paper.objects.select_related("item").filter(pk=paper.pk).first()
    if locked is None:
        raise CommitteeError("That paper has already been removed.")
    meeting, item = _lock_item(locked.item)
    _require(
        actor,
        "committees.manage_meetings",
        meeting.committee,
        "Only the committee's secretary removes papers.",
    )
    current = Paper.objects.select_for_update().filter(pk=paper.pk, item=item).first()
    if current is None:
        raise CommitteeError("That paper has already been removed.")
    detail = {"item": item.pk, "paper": current.pk, "title": current.title}
    file = current.file
    current.delete()
    _delete_files_after_commit([file])
    log_action(actor=actor, action="agenda.paper_removed", target=meeting, detail=detail)
    return item


# Minutes, decisions, action points ------------------------------------------------------------
def draft_refused(meeting: Meeting, minutes: Minutes | None) -> str:
    """Why the minutes cannot be written or edited now ("" when they can)."""
    if meeting.status != MeetingStatus.HELD:
        return "Minutes are written for a meeting that has been held."
    if minutes is not None and minutes.status in (MinutesStatus.APPROVED, MinutesStatus.PUBLISHED):
        return "Approved minutes cannot be changed."
    return ""


@transaction.atomic
def draft_minutes(*, actor: User | None, meeting: Meeting, text: str) -> Minutes:
    meeting = _lock_meeting(meeting)
    _require(
        actor, "committees.write_minutes", meeting.committee, "Only the minutes secretary drafts the minutes."
    )
    if refused := draft_refused(meeting, None):
        raise CommitteeError(refused)
    if not text.strip():
        raise CommitteeError("The minutes are empty.")
    minutes, created = Minutes.objects.select_for_update().get_or_create(
        meeting=meeting, defaults={"text": text, "drafted_by": actor}
    )
    if not created:
        if refused := draft_refused(meeting, minutes):
            raise CommitteeError(refused)
        minutes.text = text
        minutes.updated_at = timezone.now()
        minutes.save(update_fields=["text", "updated_at"])
    log_action(actor=actor, action="minutes.drafted", target=meeting)
    return minutes


@transaction.atomic
def circulate_minutes(*, actor: User | None, minutes: Minutes) -> Minutes:
    """Send the draft to the committee (the sweep e-mails it, once per circulation)."""
    minutes = Minutes.objects.select_for_update().select_related("meeting__committee").get(pk=minutes.pk)
    _require(
        actor,
        "committees.write_minutes",
        minutes.meeting.committee,
        "Only the minutes secretary circulates the minutes.",
    )
    if minutes.status not in (MinutesStatus.DRAFT, MinutesStatus.CIRCULATED):
        raise CommitteeError("Approved minutes are not circulated again.")
    minutes.status = MinutesStatus.CIRCULATED
    minutes.circulated_at = timezone.now()
    minutes.circulation_version += 1
    minutes.save(update_fields=["status", "circulated_at", "circulation_version"])
    log_action(actor=actor, action="minutes.circulated", target=minutes.meeting)
    return minutes


@transaction.atomic
def approve_minutes(*, actor: User | None, minutes: Minutes, at_meeting: Meeting) -> Minutes:
    """Minutes are approved at a later meeting of the same committee, which is recorded."""
    minutes = Minutes.objects.select_for_update().select_related("meeting__committee").get(pk=minutes.pk)
    committee = minutes.meeting.committee
    _require(
        actor,
        "committees.manage_meetings",
        committee,
        "Only the committee's secretary records approval of minutes.",
    )
    # Judge the meeting as it stands now, not as the caller's copy last saw it.
    at_meeting = Meeting.objects.get(pk=at_meeting.pk)
    if minutes.status != MinutesStatus.CIRCULATED:
        raise CommitteeError("Minutes are approved after they have been circulated.")
    if at_meeting.committee_id != committee.pk or at_meeting.starts_at <= minutes.meeting.starts_at:
        raise CommitteeError("Minutes are approved at a later meeting of the same committee.")
    if at_meeting.status != MeetingStatus.HELD:
        raise CommitteeError("Minutes are approved at a meeting that has been held.")
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at_meeting = at_meeting
    minutes.save(update_fields=["status", "approved_at_meeting"])
    log_action(
        actor=actor, action="minutes.approved", target=minutes.meeting, detail={"at_meeting": at_meeting.pk}
    )
    return minutes


@transaction.atomic
def publish_minutes(*, actor: User | None, minutes: Minutes) -> Minutes:
    minutes = Minutes.objects.select_for_update().select_related("meeting__committee").get(pk=minutes.pk)
    _require(
        actor,
        "committees.manage_meetings",
        minutes.meeting.committee,
        "Only the committee's secretary publishes minutes.",
    )
    if minutes.status != MinutesStatus.APPROVED:
        raise CommitteeError("Only approved minutes are published.")
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = timezone.now()
    minutes.save(update_fields=["status", "published_at"])
    log_action(actor=actor, action="minutes.published", target=minutes.meeting)
    return minutes


def record_refused(meeting: Meeting) -> str:
    """Why decisions and action points cannot be recorded for the meeting now ("" when they can)."""
    if meeting.status == MeetingStatus.CANCELLED:
        return "Nothing is recorded for a cancelled meeting."
    if meeting.starts_at > timezone.now():
        return "Decisions and action points are recorded once the meeting has begun."
    return ""


def _check_on_record(meeting: Meeting, item: AgendaItem | None) -> None:
    """Decisions and action points belong to a meeting that has begun, and to its own agenda."""
    if refused := record_refused(meeting):
        raise CommitteeError(refused)
    if item is not None and item.meeting_id != meeting.pk:
        raise CommitteeError("That item is on another meeting's agenda.")


@transaction.atomic
def record_decision(
    *, actor: User | None, meeting: Meeting, text: str, item: AgendaItem | None = None
) -> Decision:
    meeting = _lock_meeting(meeting)
    _require(
        actor,
        "committees.write_minutes",
        meeting.committee,
        "Only the committee's officers record decisions.",
    )
    if not text.strip():
        raise CommitteeError("A decision needs its text.")
    _check_on_record(meeting, item)
    decision = Decision.objects.create(meeting=meeting, item=item, text=text.strip())
    log_action(actor=actor, action="decision.recorded", target=meeting, detail={"decision": decision.pk})
    return decision


@transaction.atomic
def add_action_point(
    *,
    actor: User | None,
    meeting: Meeting,
    text: str,
    owner: Member | None = None,
    due_on: dt.date | None = None,
    item: AgendaItem | None = None,
) -> ActionPoint:
    _require(
        actor,
        "committees.write_minutes",
        meeting.committee,
        "Only the committee's officers record action points.",
    )
    if not text.strip():
        raise CommitteeError("An action point needs its text.")
    meeting = _lock_meeting(meeting)
    _check_on_record(meeting, item)
    day = meeting_day(meeting)
    if owner is not None and not holds_term(meeting.committee, owner, day):
        raise CommitteeError(f"An action point's owner must be a member of {meeting.committee}.")
    if due_on is not None and due_on < day:
        raise CommitteeError("An action point cannot be due before the meeting that agreed it.")
    point = ActionPoint.objects.create(
        meeting=meeting, item=item, text=text.strip(), owner=owner, due_on=due_on
    )
    log_action(actor=actor, action="action_point.added", target=meeting, detail={"action_point": point.pk})
    return point


@transaction.atomic
def complete_action_point(*, actor: User | None, point: ActionPoint) -> ActionPoint:
    # Lock only the point's row: PostgreSQL refuses FOR UPDATE on the nullable side of the owner join.
    point = (
        ActionPoint.objects.select_for_update(of=("self",))
        .select_related("meeting__committee", "owner")
        .get(pk=point.pk)
    )
    is_owner = point.owner is not None and point.owner.user_id == getattr(actor, "pk", None)
    if not is_owner:
        _require(
            actor,
            "committees.write_minutes",
            point.meeting.committee,
            "Only its owner or the committee's officers can close it.",
        )
    if point.done_at is None:
        point.done_at = timezone.now()
        point.save(update_fields=["done_at"])
        log_action(
            actor=actor, action="action_point.done", target=point.meeting, detail={"action_point": point.pk}
        )
    return point


# Failed mail -----------------------------------------------------------------------------------
@transaction.atomic
def resend_committee_message(*, actor: User | None, committee: Committee, message_id: int) -> OutboundMessage:
    """The secretary sends one of the committee's failed (or retrying) messages again, now.

    Only a message in the committee's outbox group can be resent from its
    page; the outbox resets it (see ``awl.outbox.resend_message``).
    """
    _require(
        actor,
        "committees.manage_meetings",
        committee,
        f"Only the secretary of {committee} can resend its mail.",
    )
    message = OutboundMessage.objects.filter(pk=message_id, group=mail_group(committee)).first()
    if message is None:
        raise CommitteeError("That message is not one of this committee's.")
    try:
        return outbox.resend_message(actor=actor, message=message)
    except outbox.OutboxError as exc:
        raise CommitteeError(str(exc)) from None


# Calendar feeds --------------------------------------------------------------------------------
@transaction.atomic
def new_calendar_token(*, actor: User | None, member: Member) -> CalendarToken:
    """A fresh private feed address for the member; any earlier one stops working."""
    _require_own(actor, member)
    revoked = _revoke_calendar_tokens(member)
    token = CalendarToken.objects.create(member=member)
    log_action(actor=actor, action="calendar_feed.created", target=member, detail={"revoked": revoked})
    return token


@transaction.atomic
def revoke_calendar_token(*, actor: User | None, member: Member) -> int:
    """Stop the member's feed address working; returns how many addresses were revoked."""
    _require_own(actor, member)
    revoked = _revoke_calendar_tokens(member)
    if revoked:
        log_action(actor=actor, action="calendar_feed.revoked", target=member, detail={"revoked": revoked})
    return revoked


def _require_own(actor: User | None, member: Member) -> None:
    if actor is not None and actor.pk != member.user_id:
        raise CommitteeError("Only members manage their own calendar feed.")


def _revoke_calendar_tokens(member: Member) -> int:
    # Lock the member's row so two clicks at once leave one live address, not two.
    Member.objects.select_for_update().filter(pk=member.pk).first()
    return CalendarToken.objects.filter(member=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
