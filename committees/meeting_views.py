"""The secretary's pages: scheduling meetings, the agenda and its papers.

Every view starts with an access helper: a committee, meeting, item or paper
the user may not see is a 404; a committee member who is not its secretary
(nor the national office) gets a 403 on the pages that change things. The
rules live in ``committees.services``; a refusal comes back as a message on
the form (status 409) with nothing written. Each action has a page of its
own that answers GET with its form (a confirmation for one-button actions),
so every action also works from a bookmark or without the agenda page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from committees import papers, selectors, services
from committees.forms import (
    AgendaItemForm,
    CallMeetingForm,
    CancelMeetingForm,
    MoveItemForm,
    MoveMeetingForm,
    PaperForm,
    ScheduleMeetingsForm,
)
from committees.models import AgendaItem, Committee, Meeting, MeetingStatus, Paper
from committees.services import CommitteeError

MANAGE = "committees.manage_meetings"
# The horizon the "generate meetings" form suggests.
SUGGESTED_HORIZON = dt.timedelta(days=91)


# Access helpers ---------------------------------------------------------------------------------
def _require_secretary(user: Any, committee: Committee) -> None:
    if not has_rule(user, MANAGE, committee):
        raise PermissionDenied("Only the committee's secretary can do this.")


def _committee(request: HttpRequest, slug: str) -> Committee:
    committee = selectors.get_committee_for_user(request.user, slug)
    _require_secretary(request.user, committee)
    return committee


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.get_meeting_for_user(request.user, pk)
    _require_secretary(request.user, meeting.committee)
    return meeting


def _item(request: HttpRequest, pk: int) -> AgendaItem:
    item = selectors.get_agenda_item_for_user(request.user, pk)
    _require_secretary(request.user, item.meeting.committee)
    return item


def _paper(request: HttpRequest, pk: int) -> Paper:
    paper = selectors.get_paper_for_user(request.user, pk)
    _require_secretary(request.user, paper.item.meeting.committee)
    return paper


def _when(moment: dt.datetime) -> str:
    """A moment as London reads it: "Saturday 5 December 2026, 11:00"."""
    return date_format(timezone.localtime(moment), "l j F Y, H:i")


def _form_page(
    request: HttpRequest,
    *,
    form: Any,
    meeting: Meeting,
    heading: str,
    submit: str,
    back: str,
    item: AgendaItem | None = None,
    intro: str = "",
    unavailable: str = "",
    danger: bool = False,
    buttons: list[tuple[str, str, str]] | None = None,
) -> HttpResponse:
    """One form about one meeting (or one of its items); 409 when a service refused it."""
    context = {
        "form": form,
        "meeting": meeting,
        "item": item,
        "heading": heading,
        "intro": intro,
        "submit": submit,
        "back": back,
        "unavailable": unavailable,
        "danger": danger,
        "buttons": buttons or [],
    }
    status = refusal_status(form)
    return render(request, "committees/meeting_form_page.html", context, status=status)


# Scheduling ---------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def manage_meetings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The committee's meetings for its secretary, and generating the cycle's meetings ahead."""
    committee = _committee(request, slug)
    form = bound(ScheduleMeetingsForm, request, initial={"until": timezone.localdate() + SUGGESTED_HORIZON})
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            result = services.schedule_meetings(
                actor=request.user, committee=committee, until=form.cleaned_data["until"]
            )
            created = len(result["created"])
            messages.success(
                request,
                f"{created} meeting{'' if created == 1 else 's'} created."
                if created
                else "No new meetings: every meeting of the cycle up to that date already exists.",
            )
            if result["too_soon"]:
                too_soon = cast(list[dt.datetime], result["too_soon"])
                dates = "; ".join(_when(moment) for moment in too_soon)
                messages.warning(
                    request,
                    f"Too soon to give {committee.notice_days} days' notice, so not created: {dates}. "
                    "Call an emergency meeting if one of them must go ahead.",
                )
            return redirect("committees:manage_meetings", slug=committee.slug)
    coming, recent = selectors.meetings_to_manage(committee)
    context = {
        "committee": committee,
        "form": form,
        "has_cycle": bool(committee.cycle_rule and committee.cycle_start),
        "coming": coming,
        "recent": recent,
    }
    status = refusal_status(form)
    return render(request, "committees/schedule_manage.html", context, status=status)


def _call_initial(committee: Committee) -> dict[str, Any]:
    """The first day with the rules' notice, at the cycle's usual time (or 19:00)."""
    day = timezone.localdate() + dt.timedelta(days=committee.notice_days + 1)
    usual = timezone.localtime(committee.cycle_start).time() if committee.cycle_start else dt.time(19, 0)
    starts = timezone.make_aware(dt.datetime.combine(day, usual))
    ends = starts + dt.timedelta(minutes=committee.meeting_minutes or 120)
    return CallMeetingForm.initial_for(starts, ends, committee.default_venue, committee.default_online_link)


@login_required
@require_http_methods(["GET", "POST"])
def call_meeting(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """An extra meeting, or an emergency one (with less notice, and a reason)."""
    committee = _committee(request, slug)
    form = bound(CallMeetingForm, request, initial=_call_initial(committee))
    if form.is_valid():
        starts_at, ends_at = form.times()
        with refusal_on(form, CommitteeError):
            meeting = services.call_meeting(
                actor=request.user,
                committee=committee,
                starts_at=starts_at,
                ends_at=ends_at,
                venue=form.cleaned_data["venue"],
                online_link=form.cleaned_data["online_link"],
                emergency=form.cleaned_data["emergency"],
                emergency_reason=form.cleaned_data["emergency_reason"],
            )
            messages.success(request, f"{meeting.get_kind_display()} meeting called for {_when(starts_at)}.")
            return redirect("committees:meeting_manage", pk=meeting.pk)
    status = refusal_status(form)
    context = {"committee": committee, "form": form}
    return render(request, "committees/schedule_call.html", context, status=status)


# One meeting ---------------------------------------------------------------------------------------
@login_required
@require_GET
def meeting_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretary's view of a meeting: what can be done to it, and the notices sent so far."""
    meeting = _meeting(request, pk)
    context = {
        "meeting": meeting,
        "dispatches": selectors.meeting_dispatches(meeting),
        "scheduled": meeting.status == MeetingStatus.SCHEDULED,
        "started": meeting.starts_at <= timezone.now(),
    }
    return render(request, "committees/meeting_manage.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    initial = MoveMeetingForm.initial_for(
        meeting.starts_at, meeting.ends_at, meeting.venue, meeting.online_link
    )
    form = bound(MoveMeetingForm, request, initial=initial)
    if form.is_valid():
        starts_at, ends_at = form.times()
        version = meeting.time_version
        with refusal_on(form, CommitteeError):
            moved = services.move_meeting(
                actor=request.user,
                meeting=meeting,
                starts_at=starts_at,
                ends_at=ends_at,
                venue=form.cleaned_data["venue"],
                online_link=form.cleaned_data["online_link"],
            )
            if moved.time_version == version:
                messages.info(request, "Nothing changed: the meeting is as it was.")
            else:
                messages.success(request, f"Meeting moved to {_when(moved.starts_at)}; members will be told.")
            return redirect("committees:meeting_manage", pk=meeting.pk)
    unavailable = "" if meeting.status == MeetingStatus.SCHEDULED else _not_scheduled(meeting)
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        heading="Move the meeting",
        intro="A new date, time (London time) or place. Members are sent one notice of the change.",
        submit="Move the meeting",
        back=reverse("committees:meeting_manage", args=[meeting.pk]),
        unavailable=unavailable,
    )


def _not_scheduled(meeting: Meeting) -> str:
    return f"This meeting is {meeting.get_status_display().lower()}; it can no longer be changed."


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = bound(CancelMeetingForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.cancel_meeting(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
            messages.success(request, "Meeting cancelled; members who had notice of it will be told.")
            return redirect("committees:meeting_manage", pk=meeting.pk)
    unavailable = "" if meeting.status == MeetingStatus.SCHEDULED else _not_scheduled(meeting)
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        heading="Cancel the meeting",
        submit="Cancel the meeting",
        back=reverse("committees:meeting_manage", args=[meeting.pk]),
        unavailable=unavailable,
        danger=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_mark_held(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.mark_held(actor=request.user, meeting=meeting)
            messages.success(request, "Meeting marked as held.")
            return redirect("committees:meeting_manage", pk=meeting.pk)
    if meeting.status != MeetingStatus.SCHEDULED:
        unavailable = _not_scheduled(meeting)
    elif meeting.starts_at > timezone.now():
        unavailable = "A meeting can be marked held once it has started."
    else:
        unavailable = ""
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        heading="Mark the meeting held",
        intro="Once it is marked held, its minutes can be written.",
        submit="Mark it held",
        back=reverse("committees:meeting_manage", args=[meeting.pk]),
        unavailable=unavailable,
    )


# The agenda ---------------------------------------------------------------------------------------
def _agenda_url(meeting_id: int, item_id: int | None = None) -> str:
    url = reverse("committees:agenda_edit", args=[meeting_id])
    return f"{url}#item-{item_id}" if item_id else url


@login_required
@require_GET
def agenda_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda editor: items in order with their papers, and the actions on each."""
    meeting = _meeting(request, pk)
    items = selectors.agenda_items(meeting)
    context = {
        "meeting": meeting,
        "items": items,
        "add_form": AgendaItemForm(),
        "can_publish": bool(items)
        and meeting.status == MeetingStatus.SCHEDULED
        and meeting.agenda_published_at is None,
    }
    return render(request, "committees/agenda_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_prepare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.prepare_agenda(actor=request.user, meeting=meeting)
            messages.success(request, "The agenda is prepared from the standard order of business.")
            return redirect(_agenda_url(meeting.pk))
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        heading="Prepare the agenda",
        intro="The standard order of business, with open action points carried forward from earlier "
        "meetings under matters arising. You can edit every item afterwards.",
        submit="Prepare the agenda",
        back=_agenda_url(meeting.pk),
        unavailable="The agenda is already prepared." if meeting.agenda_prepared_at is not None else "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_add_item(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = bound(AgendaItemForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            item = services.add_agenda_item(actor=request.user, meeting=meeting, **form.cleaned_data)
            messages.success(request, "Item added to the agenda.")
            return redirect(_agenda_url(meeting.pk, item.pk))
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        heading="Add an agenda item",
        intro="It goes at the end of its section.",
        submit="Add the item",
        back=_agenda_url(meeting.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    initial = {"section": item.section, "title": item.title, "body": item.body}
    form = bound(AgendaItemForm, request, initial=initial)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.update_agenda_item(actor=request.user, item=item, **form.cleaned_data)
            messages.success(request, "Agenda item saved.")
            return redirect(_agenda_url(item.meeting_id, item.pk))
    return _form_page(
        request,
        form=form,
        meeting=item.meeting,
        item=item,
        heading="Edit the agenda item",
        submit="Save the item",
        back=_agenda_url(item.meeting_id, item.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = bound(MoveItemForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.move_agenda_item(actor=request.user, item=item, direction=form.cleaned_data["direction"])
            messages.success(request, f"Moved {form.cleaned_data['direction']}: {item.title}.")
            return redirect(_agenda_url(item.meeting_id, item.pk))
    siblings = AgendaItem.objects.filter(meeting_id=item.meeting_id)
    buttons = []
    if siblings.filter(position__lt=item.position).exists():
        buttons.append(("direction", "up", "Move up"))
    if siblings.filter(position__gt=item.position).exists():
        buttons.append(("direction", "down", "Move down"))
    return _form_page(
        request,
        form=form,
        meeting=item.meeting,
        item=item,
        heading="Move the agenda item",
        submit="",
        back=_agenda_url(item.meeting_id, item.pk),
        buttons=buttons,
        unavailable="" if buttons else "It is the only item on the agenda.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.delete_agenda_item(actor=request.user, item=item)
            messages.success(request, f"Removed from the agenda: {item.title}.")
            return redirect(_agenda_url(item.meeting_id))
    return _form_page(
        request,
        form=form,
        meeting=item.meeting,
        item=item,
        heading="Remove the agenda item",
        intro="Its papers are removed with it.",
        submit="Remove the item",
        back=_agenda_url(item.meeting_id, item.pk),
        danger=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.publish_agenda(actor=request.user, meeting=meeting)
            messages.success(request, "The agenda is published; members will be sent it.")
            return redirect(_agenda_url(meeting.pk))
    if meeting.status != MeetingStatus.SCHEDULED:
        unavailable = _not_scheduled(meeting)
    elif meeting.agenda_published_at is not None:
        unavailable = f"The agenda was published on {_when(meeting.agenda_published_at)}."
    elif not meeting.items.exists():
        unavailable = "Prepare the agenda before publishing it."
    else:
        unavailable = ""
    return _form_page(
        request,
        form=form,
        meeting=meeting,
        heading="Publish the agenda",
        intro="Members are sent the agenda. You can still edit it afterwards.",
        submit="Publish the agenda",
        back=_agenda_url(meeting.pk),
        unavailable=unavailable,
    )


# Papers -------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def paper_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = bound(PaperForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.attach_paper(
                actor=request.user,
                item=item,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
            messages.success(request, f"Paper attached to {item.title}.")
            return redirect(_agenda_url(item.meeting_id, item.pk))
    return _form_page(
        request,
        form=form,
        meeting=item.meeting,
        item=item,
        heading="Attach a paper",
        intro=f"{papers.ACCEPTED}; at most {filesizeformat(papers.max_bytes())}.",
        submit="Attach the paper",
        back=_agenda_url(item.meeting_id, item.pk),
    )


@never_cache
@login_required
@require_GET
def paper_download(request: HttpRequest, pk: int) -> FileResponse:
    """A paper for the committee's members, always as a download with the type we stored."""
    paper = selectors.get_paper_for_user(request.user, pk)
    try:
        handle = paper.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this paper is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=papers.download_name(paper.file.name or ""),
        content_type=paper.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def paper_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    paper = _paper(request, pk)
    item = paper.item
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.delete_paper(actor=request.user, paper=paper)
            messages.success(request, f"Paper removed: {paper.title}.")
            return redirect(_agenda_url(item.meeting_id, item.pk))
    return _form_page(
        request,
        form=form,
        meeting=item.meeting,
        item=item,
        heading="Remove the paper",
        intro=f"“{paper.title}” will no longer be available to members.",
        submit="Remove the paper",
        back=_agenda_url(item.meeting_id, item.pk),
        danger=True,
    )
