"""Reads for the conference business pages (motions, amendments, rulings, the order paper).

Shared by the business pages: each part appends its reads in its own section below.
Access helpers return the object the user may see or raise 404 / PermissionDenied.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from awl.permissions import has_rule
from conference.models import Amendment, Conference, ItemStatus, Motion, ProposerKind, Ruling
from conference.registration.selectors import get_conference, own_member
from conference.rules import READ_PROPOSAL, RUN
from members import roles
from members.models import Branch, MemberStatus, Role


# Motions pages (views/motions.py) -------------------------------------------------------------------
def proposer_kinds(user: Any) -> list[tuple[str, str]]:
    """The capacities the user may propose in: as a member, for a branch they organise, for the NC/EC."""
    from committees.models import Committee, CommitteeKind

    kinds: list[tuple[str, str]] = []
    member = own_member(user)
    if member is not None and member.status == MemberStatus.MEMBER:
        kinds.append((ProposerKind.MEMBER, "Myself, as a member (another member seconds it)"))
    if roles.branch_ids_for(user, Role.BRANCH_ORGANISER):
        kinds.append((ProposerKind.BRANCH, "My branch (agreed at a branch meeting)"))
    for kind, committee_kind in (
        (ProposerKind.NC, CommitteeKind.NATIONAL),
        (ProposerKind.EC, CommitteeKind.EXECUTIVE),
    ):
        committee = Committee.objects.filter(kind=committee_kind).first()
        if committee is not None and has_rule(user, "committees.manage_meetings", committee):
            kinds.append((kind, ProposerKind(kind).label))
    return kinds


def organised_branches(user: Any) -> QuerySet[Branch]:
    return Branch.objects.filter(pk__in=roles.branch_ids_for(user, Role.BRANCH_ORGANISER)).order_by("name")


def may_read_business(user: Any, conference: Conference) -> bool:
    """Members, those registered, the CAC, national office and anyone who may propose read it."""
    from conference.programme import services as programme

    return programme.reader_for(user, conference).admitted or bool(proposer_kinds(user))


def get_conference_business(user: Any, slug: str) -> Conference:
    conference = get_conference(slug)
    if not may_read_business(user, conference):
        raise PermissionDenied("The conference's motions are for members.")
    return conference


def _unseconded_hidden(rows: QuerySet[Any], user: Any, conference: Conference) -> QuerySet[Any]:
    """Leave out items awaiting their seconder, except the user's own (proposed or to second);
    the CAC sees them all. The query form of the READ_PROPOSAL rule."""
    if has_rule(user, RUN, conference):
        return rows
    return rows.filter(
        ~Q(status=ItemStatus.AWAITING_SECONDER) | Q(submitted_by_id=user.pk) | Q(seconder__user_id=user.pk)
    )


def conference_motions(conference: Conference, user: Any) -> QuerySet[Motion]:
    """The conference's motions the user may see (one awaiting its seconder only to its own people)."""
    return (
        _unseconded_hidden(Motion.objects.filter(conference=conference), user, conference)
        .select_related("proposer", "branch")
        # Amendments awaiting their seconder are not yet business: not counted, as they are not shown.
        .annotate(
            amendment_count=Count("amendments", filter=~Q(amendments__status=ItemStatus.AWAITING_SECONDER))
        )
        .order_by("position", "submitted_at", "pk")
    )


def get_motion_for_user(user: Any, pk: int) -> Motion:
    """A motion (404 if there is none); 403 for someone who may not read the conference's business."""
    motion = (
        Motion.objects.select_related("conference", "proposer", "branch", "seconder", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if motion is None:
        raise Http404("No such motion.")
    if not may_read_business(user, motion.conference):
        raise PermissionDenied("The conference's motions are for members.")
    if not has_rule(user, READ_PROPOSAL, motion):
        raise Http404("No such motion.")  # awaiting its seconder: its existence is not shown
    return motion


def get_own_motion(user: Any, pk: int) -> Motion:
    """A motion the user proposed; 403 to anyone else who may read it."""
    motion = get_motion_for_user(user, pk)
    if motion.submitted_by_id is None or motion.submitted_by_id != user.pk:
        raise PermissionDenied("Only the motion's proposer can do this.")
    return motion


def get_amendment_to_own_motion(user: Any, pk: int) -> Amendment:
    amendment = Amendment.objects.select_related("motion", "seconder").filter(pk=pk).first()
    if amendment is None or not has_rule(user, READ_PROPOSAL, amendment):
        raise Http404("No such amendment.")
    get_own_motion(user, amendment.motion_id)
    return amendment


def motion_amendments(motion: Motion, user: Any) -> QuerySet[Amendment]:
    """The motion's amendments the user may see (one awaiting its seconder only to its own people)."""
    return (
        _unseconded_hidden(Amendment.objects.filter(motion=motion), user, motion.conference)
        .select_related("proposer", "branch", "motion")
        .order_by("position", "submitted_at", "pk")
    )


# The CAC's business pages (views/cac.py) -------------------------------------------------------
def motions_to_composite(conference: Conference) -> list[Motion]:
    """Motions still standing (not debated, withdrawn or composited already), for a composite."""
    return list(
        Motion.objects.filter(conference=conference, outcome="")
        .exclude(status=ItemStatus.WITHDRAWN)
        .exclude(ruling=Ruling.COMPOSITED)
        .order_by("pk")
    )


def motions_to_order(conference: Conference) -> list[Motion]:
    """Motions ruled in order and not withdrawn, in their current debating order, for the order of debate."""
    return list(
        Motion.objects.filter(
            conference=conference, ruling=Ruling.IN_ORDER, status=ItemStatus.SUBMITTED
        ).order_by("position", "pk")
    )


# Outcomes, the text as carried and the policy record (views/outcomes.py) --------------------------------
def get_business_item_to_run(user: Any, kind: str, pk: int) -> Motion | Amendment:
    """A motion or amendment for the CAC to rule on or record (404 if none; 403 for everyone else)."""
    item: Motion | Amendment | None
    if kind == "motion":
        item = Motion.objects.select_related("conference").filter(pk=pk).first()
    elif kind == "amendment":
        item = Amendment.objects.select_related("motion__conference").filter(pk=pk).first()
    else:
        raise Http404("No such business.")
    if item is None:
        raise Http404(f"No such {kind}.")
    conference = item.conference if isinstance(item, Motion) else item.motion.conference
    if not has_rule(user, RUN, conference):
        raise PermissionDenied("Only the conference arrangements committee can do this.")
    return item


def get_motion_to_run(user: Any, pk: int) -> Motion:
    return cast(Motion, get_business_item_to_run(user, "motion", pk))


def debating_order(conference: Conference) -> list[Motion]:
    """The order paper's motions by position, each with ``.debate``: its amendments in debating order."""
    from django.db.models import Prefetch

    amendments = Amendment.objects.select_related("proposer", "branch").order_by("position", "pk")
    motions: list[Motion] = list(
        Motion.objects.filter(conference=conference, position__isnull=False)
        .select_related("proposer", "branch")
        .prefetch_related(Prefetch("amendments", queryset=amendments, to_attr="debate"))
        .order_by("position")
    )
    return motions


def may_read_policy(user: Any) -> bool:
    """The policy record is for members (and those who run conference)."""
    member = own_member(user)
    if member is not None and member.status == MemberStatus.MEMBER:
        return True
    return bool(has_rule(user, RUN))


def policy_record(*, query: str = "", year: int | None = None, topic: str = "") -> QuerySet[Motion]:
    """Carried motions whose text as carried is published, newest conference first."""
    from django.db.models import Q

    from conference.models import Outcome

    rows = Motion.objects.filter(outcome=Outcome.CARRIED, carried_published_at__isnull=False)
    if query:
        rows = rows.filter(
            Q(title__icontains=query) | Q(carried_text__icontains=query) | Q(topic__icontains=query)
        )
    if year:
        rows = rows.filter(conference__year=year)
    if topic:
        rows = rows.filter(topic=topic)
    return rows.select_related("conference").order_by("-conference__year", "position", "pk")


def policy_years_and_topics() -> tuple[list[int], list[str]]:
    from conference.models import Outcome

    published = Motion.objects.filter(outcome=Outcome.CARRIED, carried_published_at__isnull=False)
    years = sorted(set(published.values_list("conference__year", flat=True)), reverse=True)
    topics = sorted({topic for topic in published.values_list("topic", flat=True) if topic})
    return years, topics
