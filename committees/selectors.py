"""Reads for committee pages, and one access helper per object type."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from awl import outbox
from awl.permissions import has_rule
from committees import services
from committees.models import (
    ActionPoint,
    AgendaItem,
    Apology,
    Attendance,
    CalendarToken,
    Committee,
    Decision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    NoticeDispatch,
    Paper,
    Term,
    TermRole,
)
from committees.notices import mail_group
from members.models import Member


def get_committee_for_user(user: Any, slug: str) -> Committee:
    committee = Committee.objects.select_related("elected_by").filter(slug=slug).first()
    if committee is None or not (
        has_rule(user, "committees.view_committee", committee)
        or has_rule(user, "committees.view_published_minutes", committee)
    ):
        raise Http404("No such committee.")
    return committee


def get_meeting_for_user(user: Any, pk: int, perm: str = "committees.view_committee") -> Meeting:
    meeting = Meeting.objects.select_related("committee").filter(pk=pk).first()
    if meeting is None or not has_rule(user, perm, meeting.committee):
        raise Http404("No such meeting.")
    return meeting


def committees_for_user(user: Any) -> list[Committee]:
    return [
        c
        for c in Committee.objects.select_related("elected_by")
        if has_rule(user, "committees.view_committee", c)
        or has_rule(user, "committees.view_published_minutes", c)
    ]


def upcoming_meetings(committee: Committee) -> QuerySet[Meeting]:
    return committee.meetings.filter(ends_at__gte=timezone.now()).order_by("starts_at")


ROLE_ORDER = [TermRole.CHAIR, TermRole.SECRETARY, TermRole.MINUTES_SECRETARY, TermRole.MEMBER]


def current_terms(committee: Committee) -> list[Term]:
    """Who sits on the committee today and in what role, officers first; one query."""
    terms = (
        Term.objects.filter(committee=committee, member__erased_at__isnull=True)
        .current()
        .select_related("member")
        .order_by("member__full_name", "starts_on")
    )
    return sorted(terms, key=lambda term: ROLE_ORDER.index(TermRole(term.role)))


# Scheduling, the agenda and papers (meeting_views) -------------------------------------------------
RECENT_MEETINGS = 10


def get_agenda_item_for_user(user: Any, pk: int) -> AgendaItem:
    """An agenda item of a committee the user sits on (or manages); 404 otherwise."""
    item = AgendaItem.objects.select_related("meeting__committee").filter(pk=pk).first()
    if item is None or not has_rule(user, "committees.view_committee", item.meeting.committee):
        raise Http404("No such agenda item.")
    return item


def get_paper_for_user(user: Any, pk: int) -> Paper:
    """A paper of a committee the user sits on (or manages); 404 otherwise."""
    paper = Paper.objects.select_related("item__meeting__committee").filter(pk=pk).first()
    if paper is None or not has_rule(user, "committees.view_committee", paper.item.meeting.committee):
        raise Http404("No such paper.")
    return paper


def meetings_to_manage(committee: Committee) -> tuple[list[Meeting], list[Meeting]]:
    """(coming meetings, the last few that have ended), each with ``item_count``; two queries."""
    now = timezone.now()
    meetings = committee.meetings.annotate(item_count=Count("items"))
    coming: list[Meeting] = list(meetings.filter(ends_at__gte=now).order_by("starts_at"))
    recent: list[Meeting] = list(meetings.filter(ends_at__lt=now).order_by("-starts_at")[:RECENT_MEETINGS])
    return coming, recent


def agenda_items(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda in order, each item's papers prefetched; two queries."""
    return list(
        meeting.items.order_by("position").prefetch_related(
            Prefetch("papers", queryset=Paper.objects.order_by("uploaded_at", "pk"))
        )
    )


@dataclass(frozen=True)
class MeetingAgenda:
    """What the meeting page shows of the agenda: the published items, and the secretary's links."""

    items: list[AgendaItem]
    manage: bool


def meeting_agenda(user: Any, meeting: Meeting) -> MeetingAgenda:
    """The published agenda (items with their papers, two queries) for the committee's members,
    and whether the user manages its meetings."""
    committee = meeting.committee
    if not has_rule(user, "committees.view_committee", committee):
        return MeetingAgenda(items=[], manage=False)
    return MeetingAgenda(
        items=agenda_items(meeting) if meeting.agenda_published_at else [],
        manage=has_rule(user, "committees.manage_meetings", committee),
    )


def meeting_dispatches(meeting: Meeting) -> QuerySet[NoticeDispatch]:
    """The notices the sweep has dealt with for the meeting, sent or skipped, newest first."""
    return meeting.dispatches.order_by("-swept_at", "-pk")


# Calendar feeds ------------------------------------------------------------------------------------
FEED_HISTORY = dt.timedelta(days=60)


def feed_urls(path_: str) -> dict[str, str]:
    """The feed's https address, and the same as webcal:// for a one-click subscription."""
    url = f"{settings.SITE_URL}{path_}"
    return {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[-1]}


@dataclass(frozen=True)
class FeedPanel:
    """What the committee page offers about its calendar feed and its undelivered mail."""

    feed_url: str  # the reader's own feed of this committee; "" unless they sit on it and have an address
    webcal_url: str
    manage: bool  # the secretary's link to the mail that was not delivered
    failed: int  # how many of the committee's messages failed (counted for the secretary only)


def committee_feed_urls(user: Any, committee: Committee) -> dict[str, str]:
    """The user's own address for the committee's feed: only while they sit on it and have a live token.

    There is no shared committee address any more: each member's feed is opened by their own
    calendar token and stops giving the committee's meetings when their term ends.
    """
    blank = {"feed_url": "", "webcal_url": ""}
    if not getattr(user, "is_authenticated", False):
        return blank
    if not Term.objects.current().filter(member__user_id=user.pk, committee=committee).exists():
        return blank
    token = CalendarToken.objects.filter(
        member__user_id=user.pk, revoked_at__isnull=True, member__erased_at__isnull=True
    ).first()
    if token is None:
        return blank
    return feed_urls(reverse("committees:committee_feed", args=[committee.slug, token.token]))


def committee_feed_panel(user: Any, committee: Committee) -> FeedPanel | None:
    """The reader's own webcal address for the committee; the failed-mail count for its secretary."""
    if not has_rule(user, "committees.view_committee", committee):
        return None
    manage = has_rule(user, "committees.manage_meetings", committee)
    return FeedPanel(
        **committee_feed_urls(user, committee),
        manage=manage,
        failed=outbox.failed_count(mail_group(committee)) if manage else 0,
    )


def _live_token(token: str) -> CalendarToken | None:
    return (
        CalendarToken.objects.filter(token=token, revoked_at__isnull=True, member__erased_at__isnull=True)
        .select_related("member")
        .first()
    )


def member_for_feed(token: str) -> Member:
    """The member a live calendar token belongs to, while they sit on some committee.

    404 for a revoked or unknown token, and for a member who holds no current term: the feed is
    checked against their terms at every request, so it stops when their last term ends.
    """
    found = _live_token(token)
    if found is None or not Term.objects.current().filter(member_id=found.member_id).exists():
        raise Http404("No such calendar feed.")
    return found.member


class FeedGone(Exception):
    """The token is the member's, but their term on the committee has ended: the feed is gone (410)."""


def member_for_committee_feed(token: str, committee: Committee) -> Member:
    """The member whose live token opens their feed of ``committee``: only while they sit on it.

    Raises Http404 for an unknown or revoked token or a member who never sat on the committee,
    and FeedGone once every term they held on it has ended.
    """
    found = _live_token(token)
    if found is None:
        raise Http404("No such calendar feed.")
    terms = Term.objects.filter(member_id=found.member_id, committee=committee)
    if terms.current().exists():
        return found.member
    if terms.filter(ends_on__lt=timezone.localdate()).exists():
        raise FeedGone
    raise Http404("No such calendar feed.")


def active_calendar_token(member: Member) -> CalendarToken | None:
    return CalendarToken.objects.filter(member=member, revoked_at__isnull=True).first()


def member_feed_meetings(member: Member) -> list[Meeting]:
    """Meetings, from 60 days ago on, of every committee the member sits on today; one query."""
    committees = Term.objects.filter(member=member).current().values("committee_id")
    return list(
        Meeting.objects.filter(committee__in=committees, starts_at__gte=timezone.now() - FEED_HISTORY)
        .select_related("committee")
        .order_by("starts_at", "pk")
    )


def committee_feed_meetings(committee: Committee) -> list[Meeting]:
    """The committee's meetings from 60 days ago on; one query."""
    return list(
        committee.meetings.filter(starts_at__gte=timezone.now() - FEED_HISTORY)
        .select_related("committee")
        .order_by("starts_at", "pk")
    )


# On the day and after: apologies, attendance, quorum, minutes, decisions, action points ------------
def meeting_day(meeting: Meeting) -> dt.date:
    """The meeting's date in Europe/London: the day whose terms of office count."""
    return services.meeting_day(meeting)


def committee_members_on(committee: Committee, day: dt.date) -> QuerySet[Member]:
    """Members holding a term on ``day`` (one row each, whatever their roles), by name."""
    return services.current_members(committee, day)


def member_on_committee(user: Any, committee: Committee, day: dt.date) -> Member | None:
    """The user's member record when they hold a term on the committee on ``day``."""
    if not getattr(user, "is_authenticated", False):
        return None
    return committee_members_on(committee, day).filter(user_id=user.pk).first()


@dataclass(frozen=True)
class QuorumState:
    """How many of the committee's members are recorded present, against its quorum."""

    present: int
    quorum: int
    members: int

    @property
    def quorate(self) -> bool:
        return self.present >= self.quorum

    @property
    def needed(self) -> int:
        return max(0, self.quorum - self.present)

    @property
    def summary(self) -> str:
        verdict = "quorate" if self.quorate else f"not quorate ({self.needed} more needed)"
        return f"{self.present} present; quorum is {self.quorum} of {self.members} members: {verdict}"

    def as_json(self) -> dict[str, Any]:
        return {
            "present": self.present,
            "quorum": self.quorum,
            "members": self.members,
            "quorate": self.quorate,
            "needed": self.needed,
            "summary": self.summary,
        }


def quorum_state(meeting: Meeting) -> QuorumState:
    """Present and total among the members on the meeting's date; one query."""
    present = Attendance.objects.filter(meeting=meeting, member=OuterRef("pk"), present=True)
    counts = committee_members_on(meeting.committee, meeting_day(meeting)).aggregate(
        members=Count("pk"), present=Count("pk", filter=Q(Exists(present)))
    )
    return QuorumState(
        present=counts["present"],
        quorum=services.quorum_of(meeting.committee, counts["members"]),
        members=counts["members"],
    )


@dataclass(frozen=True)
class OnTheDay:
    """What the meeting page offers on the day and after: apologies, the quorum, links."""

    member_of_committee: bool
    apology: Apology | None
    still_to_come: bool
    quorum: QuorumState | None
    live: bool
    can_record: bool
    minutes_visible: bool


def on_the_day(user: Any, meeting: Meeting) -> OnTheDay:
    """Apologies for a member of the committee; the quorum, live on the day, for those who see it."""
    committee = meeting.committee
    day = meeting_day(meeting)
    today = timezone.localdate()
    member = member_on_committee(user, committee, day)
    sees = has_rule(user, "committees.view_committee", committee)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    show_quorum = sees and not cancelled and (day == today or meeting.status == MeetingStatus.HELD)
    return OnTheDay(
        member_of_committee=member is not None,
        apology=Apology.objects.filter(meeting=meeting, member=member).first() if member else None,
        still_to_come=not services.apologies_refused(meeting),
        quorum=quorum_state(meeting) if show_quorum else None,
        live=show_quorum and day == today,
        can_record=not services.attendance_refused(meeting)
        and has_rule(user, "committees.manage_meetings", committee),
        minutes_visible=sees and meeting.status == MeetingStatus.HELD,
    )


@dataclass(frozen=True)
class AttendanceRow:
    """One member on the attendance sheet: present, absent or not yet recorded (None)."""

    member: Member
    present: bool | None
    apology: Apology | None


def attendance_sheet(meeting: Meeting) -> tuple[list[AttendanceRow], QuorumState]:
    """Every member on the meeting's date with their mark and apologies; three queries."""
    members = list(committee_members_on(meeting.committee, meeting_day(meeting)))
    marks = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "present"))
    apologies = {apology.member_id: apology for apology in Apology.objects.filter(meeting=meeting)}
    rows = [AttendanceRow(m, marks.get(m.pk), apologies.get(m.pk)) for m in members]
    state = QuorumState(
        present=sum(1 for row in rows if row.present),
        quorum=services.quorum_of(meeting.committee, len(rows)),
        members=len(rows),
    )
    return rows, state


def apologies_for(meeting: Meeting) -> QuerySet[Apology]:
    return Apology.objects.filter(meeting=meeting).select_related("member").order_by("member__full_name")


@dataclass(frozen=True)
class MinutesAccess:
    """A meeting's minutes as one person may read them."""

    meeting: Meeting
    minutes: Minutes | None
    committee_view: bool  # the committee's own view: drafts, action points, the officers' buttons


def get_minutes_for_user(user: Any, pk: int) -> MinutesAccess:
    """Committee members read minutes in every state; the electing body only once published."""
    meeting = (
        Meeting.objects.select_related("committee", "minutes", "minutes__approved_at_meeting")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    minutes = getattr(meeting, "minutes", None)
    if has_rule(user, "committees.view_committee", meeting.committee):
        return MinutesAccess(meeting, minutes, committee_view=True)
    published = minutes is not None and minutes.status == MinutesStatus.PUBLISHED
    if published and has_rule(user, "committees.view_published_minutes", meeting.committee):
        return MinutesAccess(meeting, minutes, committee_view=False)
    raise Http404("No such meeting.")


def meeting_decisions(meeting: Meeting) -> QuerySet[Decision]:
    return meeting.decisions.select_related("item").order_by("item__position", "pk")


def meeting_action_points(meeting: Meeting) -> QuerySet[ActionPoint]:
    return meeting.action_points.select_related("owner", "item").order_by("due_on", "pk")


def later_held_meetings(meeting: Meeting) -> QuerySet[Meeting]:
    """Where the meeting's minutes can be approved: the committee's later meetings that were held."""
    return Meeting.objects.filter(
        committee_id=meeting.committee_id, starts_at__gt=meeting.starts_at, status=MeetingStatus.HELD
    ).order_by("starts_at")


def decisions_register(
    user: Any, committee: Committee, *, query: str = "", year: int | None = None
) -> QuerySet[Decision]:
    """The committee's decisions, newest meeting first: all of them for the committee, and for
    the electing body those of meetings whose minutes are published."""
    decisions = Decision.objects.filter(meeting__committee=committee)
    if not has_rule(user, "committees.view_committee", committee):
        decisions = decisions.filter(meeting__minutes__status=MinutesStatus.PUBLISHED)
    if query:
        decisions = decisions.filter(text__icontains=query)
    if year is not None:
        decisions = decisions.filter(meeting__starts_at__year=year)
    return decisions.select_related("meeting", "item").order_by("-meeting__starts_at", "pk")


def decision_years(user: Any, committee: Committee) -> list[int]:
    """The years (Europe/London) in which the register has decisions this person may see."""
    decisions = decisions_register(user, committee).values("meeting_id")
    moments = Meeting.objects.filter(pk__in=decisions).datetimes("starts_at", "year", order="DESC")
    return [moment.year for moment in moments]


ACTION_POINTS_RECENT = dt.timedelta(days=90)


def my_action_points(user: Any, *, open_only: bool = False) -> QuerySet[ActionPoint]:
    """The user's action points: open ones by due date, then those done in the last 90 days."""
    points = ActionPoint.objects.filter(owner__user_id=user.pk, owner__erased_at__isnull=True)
    if open_only:
        points = points.filter(done_at__isnull=True)
    else:
        points = points.filter(
            Q(done_at__isnull=True) | Q(done_at__gte=timezone.now() - ACTION_POINTS_RECENT)
        )
    return points.select_related("meeting__committee", "item").order_by(
        F("done_at").desc(nulls_first=True), F("due_on").asc(nulls_last=True), "pk"
    )


def get_action_point_for_user(user: Any, pk: int) -> ActionPoint:
    """An action point its owner or the committee may see; 404 for anyone else."""
    point = ActionPoint.objects.select_related("meeting__committee", "owner", "item").filter(pk=pk).first()
    if point is None or not (
        is_action_point_owner(user, point)
        or has_rule(user, "committees.view_committee", point.meeting.committee)
    ):
        raise Http404("No such action point.")
    return point


def is_action_point_owner(user: Any, point: ActionPoint) -> bool:
    return point.owner is not None and point.owner.erased_at is None and point.owner.user_id == user.pk


def may_close_action_point(user: Any, point: ActionPoint) -> bool:
    """Its owner, or whoever writes the committee's minutes, marks an action point done."""
    return is_action_point_owner(user, point) or has_rule(
        user, "committees.write_minutes", point.meeting.committee
    )


def meetings_with_published_minutes(committee: Committee, limit: int = 12) -> list[Meeting]:
    """The latest meetings whose minutes are published, newest first (what the electing body may read)."""
    return list(
        committee.meetings.filter(minutes__status=MinutesStatus.PUBLISHED).order_by("-starts_at")[:limit]
    )
