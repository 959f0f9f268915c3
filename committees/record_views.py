"""On the day and after: apologies, attendance and quorum, minutes, decisions and action points.

Each view starts with an access helper (404 for a meeting the person may not
see, 403 for one they see but may not change), binds a form, calls one
service and redirects (PRG). A refused service call shows its message with
status 409 and writes nothing. The attendance page also answers ``fetch``
(``Accept: application/json``) with the new quorum, so the secretary's
phone need not reload.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.paging import page_of, query_string_without_page
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from committees import selectors, services
from committees.forms import (
    ActionPointForm,
    ApologyForm,
    ApproveMinutesForm,
    AttendanceForm,
    DecisionFilterForm,
    DecisionForm,
    MinutesForm,
    NextPageForm,
)
from committees.models import Apology, ApologyChannel, Meeting, MeetingStatus, Minutes, MinutesStatus
from committees.services import CommitteeError

DECISIONS_PAGE_SIZE = 50


def _meeting_for(request: HttpRequest, pk: int, perm: str) -> Meeting:
    """The meeting if the person may see it (else 404) and holds ``perm`` for it (else 403)."""
    meeting = selectors.get_meeting_for_user(request.user, pk)
    if not has_rule(request.user, perm, meeting.committee):
        raise PermissionDenied
    return meeting


def _minutes_of(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting).first()


def _minutes_url(meeting: Meeting, anchor: str = "") -> str:
    return reverse("committees:minutes", args=[meeting.pk]) + (f"#{anchor}" if anchor else "")


# Apologies ---------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def send_apologies(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee member sends apologies from the site, with an optional note."""
    meeting = selectors.get_meeting_for_user(request.user, pk)
    member = selectors.member_on_committee(request.user, meeting.committee, selectors.meeting_day(meeting))
    if member is None:
        raise PermissionDenied
    form = bound(ApologyForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.send_apologies(
                meeting=meeting, member=member, channel=ApologyChannel.SITE, note=form.cleaned_data["note"]
            )
            messages.success(request, "Your apologies have been sent to the secretary.")
            return redirect("committees:meeting_detail", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "form": form,
        "apology": Apology.objects.filter(meeting=meeting, member=member).first(),
        "still_to_come": not services.apologies_refused(meeting),
    }
    return render(request, "committees/apologies.html", context, status=refusal_status(form))


# Attendance and quorum -------------------------------------------------------------------------------
def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _record_mark(request: AuthenticatedHttpRequest, meeting: Meeting) -> HttpResponse | int:
    """Record one present/absent mark: the redirect (or, for fetch, the new quorum as JSON), or
    the status with which to show the sheet again, its error in the messages."""
    members = selectors.committee_members_on(meeting.committee, selectors.meeting_day(meeting))
    form = AttendanceForm(request.POST, members=members)
    if form.is_valid():
        member, present = form.cleaned_data["member"], form.cleaned_data["present"]
        try:
            services.record_attendance(actor=request.user, meeting=meeting, member=member, present=present)
        except CommitteeError as exc:
            error, status = str(exc), 409
        else:
            done = f"{member.full_name}: {'present' if present else 'absent'}."
            if _wants_json(request):
                state = selectors.quorum_state(meeting).as_json()
                return JsonResponse({**state, "member": member.pk, "marked": present, "message": done})
            messages.success(request, done)
            return redirect(reverse("committees:attendance", args=[meeting.pk]) + f"#member-{member.pk}")
    else:
        error, status = " ".join(str(message) for errors in form.errors.values() for message in errors), 400
    if _wants_json(request):
        return JsonResponse({"error": error}, status=status)
    messages.error(request, error)
    return status


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The secretary's sheet on a phone: one present and one absent button per member."""
    meeting = _meeting_for(request, pk, "committees.manage_meetings")
    status = 200
    if request.method == "POST":
        answer = _record_mark(request, meeting)
        if isinstance(answer, HttpResponse):
            return answer
        status = answer
    rows, quorum = selectors.attendance_sheet(meeting)
    context = {
        "meeting": meeting,
        "rows": rows,
        "quorum": quorum,
        "recordable": not services.attendance_refused(meeting),
    }
    return render(request, "committees/attendance.html", context, status=status)


@login_required
@require_GET
@never_cache
def meeting_quorum(request: HttpRequest, pk: int) -> JsonResponse:
    """Present, quorum and members, polled by the meeting and attendance pages."""
    meeting = selectors.get_meeting_for_user(request.user, pk)
    return JsonResponse(selectors.quorum_state(meeting).as_json())


# Minutes ---------------------------------------------------------------------------------------------
@login_required
@require_GET
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes, decisions and action points: the committee sees every stage, others only published."""
    access = selectors.get_minutes_for_user(request.user, pk)
    meeting, committee = access.meeting, access.meeting.committee
    can_write = access.committee_view and has_rule(request.user, "committees.write_minutes", committee)
    can_manage = access.committee_view and has_rule(request.user, "committees.manage_meetings", committee)
    stage = access.minutes.status if access.minutes else None
    points = list(selectors.meeting_action_points(meeting)) if access.committee_view else []
    context = {
        "meeting": meeting,
        "minutes": access.minutes,
        "committee_view": access.committee_view,
        "decisions": list(selectors.meeting_decisions(meeting)),
        "point_rows": [
            (
                point,
                point.done_at is None and (can_write or selectors.is_action_point_owner(request.user, point)),
            )
            for point in points
        ],
        "held": meeting.status == MeetingStatus.HELD,
        "may_edit": can_write and not services.draft_refused(meeting, access.minutes),
        "may_circulate": can_write and stage in (MinutesStatus.DRAFT, MinutesStatus.CIRCULATED),
        "may_approve": can_manage and stage == MinutesStatus.CIRCULATED,
        "may_publish": can_manage and stage == MinutesStatus.APPROVED,
        "may_record": can_write and not services.record_refused(meeting),
        "next": request.get_full_path(),
    }
    return render(request, "committees/minutes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def minutes_draft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The minutes secretary (or secretary) writes or edits the draft."""
    meeting = _meeting_for(request, pk, "committees.write_minutes")
    current = _minutes_of(meeting)
    if request.method == "POST":
        form = MinutesForm(request.POST)
        if form.is_valid():
            with refusal_on(form, CommitteeError):
                services.draft_minutes(actor=request.user, meeting=meeting, text=form.cleaned_data["text"])
                messages.success(request, "Draft saved. Circulate it when it is ready for the committee.")
                return redirect(_minutes_url(meeting))
    else:
        form = MinutesForm(initial={"text": current.text if current else ""})
    editable = not services.draft_refused(meeting, current)
    context = {"meeting": meeting, "minutes": current, "form": form, "editable": editable}
    return render(request, "committees/minutes_draft.html", context, status=refusal_status(form))


@dataclass(frozen=True)
class _MinutesStep:
    """A one-button step in the minutes' life: who may take it, from which stages, and what it says."""

    perm: str
    template: str
    stages: tuple[MinutesStatus, ...]  # the stages it can be taken from
    stage_flag: str  # the template's name for "the minutes are at one of those stages"
    missing: str  # the refusal when there are no minutes yet
    done: str


_CIRCULATE = _MinutesStep(
    perm="committees.write_minutes",
    template="committees/minutes_circulate.html",
    stages=(MinutesStatus.DRAFT, MinutesStatus.CIRCULATED),
    stage_flag="circulable",
    missing="There are no minutes to circulate yet: write the draft first.",
    done="The minutes are circulated: each member of the committee is e-mailed.",
)
_PUBLISH = _MinutesStep(
    perm="committees.manage_meetings",
    template="committees/minutes_publish.html",
    stages=(MinutesStatus.APPROVED,),
    stage_flag="publishable",
    missing="There are no minutes to publish yet.",
    done="The minutes are published.",
)


def _minutes_step(
    request: HttpRequest, pk: int, step: _MinutesStep, take: Callable[..., object]
) -> HttpResponse:
    """The confirmation page of a step, and the step: ``take(actor=..., minutes=...)`` is its service."""
    meeting = _meeting_for(request, pk, step.perm)
    current = _minutes_of(meeting)
    form = bound(ConfirmForm, request)
    if request.method == "POST":
        with refusal_on(form, CommitteeError):
            if current is None:
                raise CommitteeError(step.missing)
            take(actor=request.user, minutes=current)
            messages.success(request, step.done)
            return redirect(_minutes_url(meeting))
    at_stage = current is not None and current.status in step.stages
    context = {"meeting": meeting, "minutes": current, "form": form, step.stage_flag: at_stage}
    return render(request, step.template, context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def minutes_circulate(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the draft to the committee (the notice sweep e-mails it once per circulation)."""
    return _minutes_step(request, pk, _CIRCULATE, services.circulate_minutes)


@login_required
@require_http_methods(["GET", "POST"])
def minutes_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The secretary records the later meeting at which the circulated minutes were approved."""
    meeting = _meeting_for(request, pk, "committees.manage_meetings")
    current = _minutes_of(meeting)
    later = selectors.later_held_meetings(meeting)
    form = bound(ApproveMinutesForm, request, meetings=later)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            if current is None:
                raise CommitteeError("There are no minutes to approve yet.")
            services.approve_minutes(
                actor=request.user, minutes=current, at_meeting=form.cleaned_data["at_meeting"]
            )
            messages.success(
                request, "Approval recorded. Publish the minutes when they may be read more widely."
            )
            return redirect(_minutes_url(meeting))
    approvable = current is not None and current.status == MinutesStatus.CIRCULATED
    context = {
        "meeting": meeting,
        "minutes": current,
        "form": form,
        "approvable": approvable,
        "has_choices": later.exists(),
    }
    return render(request, "committees/minutes_approve.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def minutes_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Approved minutes become readable by the body that elects the committee."""
    return _minutes_step(request, pk, _PUBLISH, services.publish_minutes)


# Decisions and action points ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def decision_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, "committees.write_minutes")
    items = meeting.items.all()
    form = bound(DecisionForm, request, items=items)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.record_decision(
                actor=request.user,
                meeting=meeting,
                text=form.cleaned_data["text"],
                item=form.cleaned_data["item"],
            )
            messages.success(request, "Decision recorded.")
            return redirect(_minutes_url(meeting, "decisions"))
    context = {"meeting": meeting, "form": form}
    return render(request, "committees/decisions_add.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def action_point_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, "committees.write_minutes")
    form = bound(
        ActionPointForm,
        request,
        items=meeting.items.all(),
        members=selectors.committee_members_on(meeting.committee, selectors.meeting_day(meeting)),
    )
    if form.is_valid():
        data = form.cleaned_data
        with refusal_on(form, CommitteeError):
            services.add_action_point(
                actor=request.user,
                meeting=meeting,
                text=data["text"],
                owner=data["owner"],
                due_on=data["due_on"],
                item=data["item"],
            )
            messages.success(request, f"Action point recorded for {data['owner'].full_name}.")
            return redirect(_minutes_url(meeting, "action-points"))
    context = {"meeting": meeting, "form": form}
    return render(request, "committees/action_points_add.html", context, status=refusal_status(form))


def _safe_next(request: HttpRequest, form: NextPageForm) -> str | None:
    target = form.cleaned_data.get("next") if form.is_valid() else None
    # A path on this site only: a bare word would be taken for a URL name by redirect().
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return str(target)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def action_point_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its owner, or the committee's officers, mark an action point done."""
    point = selectors.get_action_point_for_user(request.user, pk)
    if not selectors.may_close_action_point(request.user, point):
        raise PermissionDenied
    form = NextPageForm(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        with refusal_on(form, CommitteeError):
            services.complete_action_point(actor=request.user, point=point)
            messages.success(request, f"Done: {point.text[:80]}")
            return HttpResponseRedirect(
                _safe_next(request, form) or _minutes_url(point.meeting, "action-points")
            )
    context = {"point": point, "form": form, "next": _safe_next(request, form) or ""}
    return render(request, "committees/action_points_done.html", context, status=refusal_status(form))


@login_required
@require_GET
def my_action_points(request: HttpRequest) -> HttpResponse:
    """Everything the person has agreed to do: open first, by due date, then recently done."""
    points = list(selectors.my_action_points(request.user))
    context = {
        "open_points": [p for p in points if p.done_at is None],
        "done_points": [p for p in points if p.done_at is not None],
        "today": timezone.localdate(),
        "next": request.get_full_path(),
    }
    return render(request, "committees/action_points_mine.html", context)


@login_required
@require_GET
def decisions_register(request: HttpRequest, slug: str) -> HttpResponse:
    """A committee's decisions, searchable by text and year, newest first."""
    committee = selectors.get_committee_for_user(request.user, slug)
    form = DecisionFilterForm(request.GET, years=selectors.decision_years(request.user, committee))
    decisions = selectors.decisions_register(
        request.user, committee, query=form.value("q"), year=form.chosen_year()
    )
    context = {
        "committee": committee,
        "form": form,
        "filters": form.filters(),
        "page": page_of(request, decisions, DECISIONS_PAGE_SIZE),
        "query_string": query_string_without_page(request),
        "committee_view": has_rule(request.user, "committees.view_committee", committee),
    }
    return render(request, "committees/decisions.html", context)
