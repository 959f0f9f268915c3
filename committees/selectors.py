"""Reads for committee pages, and one access helper per object type."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from committees.models import Committee, Meeting, Term, TermRole


def get_committee_for_user(user: Any, slug: str) -> Committee:
    committee = Committee.objects.select_related("elected_by").filter(slug=slug).first()
    if committee is None or not (
        user.has_perm("committees.view_committee", committee)
        or user.has_perm("committees.view_published_minutes", committee)
    ):
        raise Http404("No such committee.")
    return committee


def get_meeting_for_user(user: Any, pk: int, perm: str = "committees.view_committee") -> Meeting:
    meeting = Meeting.objects.select_related("committee").filter(pk=pk).first()
    if meeting is None or not user.has_perm(perm, meeting.committee):
        raise Http404("No such meeting.")
    return meeting


def committees_for_user(user: Any) -> list[Committee]:
    return [
        c
        for c in Committee.objects.select_related("elected_by")
        if user.has_perm("committees.view_committee", c)
        or user.has_perm("committees.view_published_minutes", c)
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
