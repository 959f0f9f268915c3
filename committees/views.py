"""Pages of the committees app: thin, each starting with an access helper."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from committees import notices, selectors, services
from committees.forms import ApologyForm
from committees.models import Apology, ApologyChannel, Meeting
from members.models import Member


@login_required
@require_GET
def committee_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "committees/committee_list.html", {"committees": selectors.committees_for_user(request.user)}
    )


@login_required
@require_GET
def committee_detail(request: HttpRequest, slug: str) -> HttpResponse:
    committee = selectors.get_committee_for_user(request.user, slug)
    return render(
        request,
        "committees/committee_detail.html",
        {
            "committee": committee,
            "feeds": selectors.committee_feed_panel(request.user, committee),
            "can_manage": has_rule(request.user, "committees.manage_meetings", committee),
            "meetings": selectors.upcoming_meetings(committee),
            "terms": selectors.current_terms(committee),
            "published": selectors.meetings_with_published_minutes(committee),
        },
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk)
    context = {
        "meeting": meeting,
        "agenda": selectors.meeting_agenda(request.user, meeting),
        "on_the_day": selectors.on_the_day(request.user, meeting),
    }
    return render(request, "committees/meeting_detail.html", context)


@require_http_methods(["GET", "POST"])
def apology_link(request: HttpRequest, token: str) -> HttpResponse:
    """Apologies from the link in a notice: signed, no login needed."""
    try:
        meeting_id, member_id = notices.read_apology_token(token)
    except signing.BadSignature:
        context = {"error": "This apology link is not valid or has expired."}
        return render(request, "committees/apology_link.html", context, status=400)
    meeting = Meeting.objects.select_related("committee").filter(pk=meeting_id).first()
    member = Member.objects.filter(pk=member_id).first()
    if meeting is None or member is None:
        return render(
            request, "committees/apology_link.html", {"error": "This apology link is not valid."}, status=400
        )
    form = bound(ApologyForm, request)
    if form.is_valid():
        with refusal_on(form, services.CommitteeError):
            services.send_apologies(
                meeting=meeting, member=member, channel=ApologyChannel.LINK, note=form.cleaned_data["note"]
            )
            messages.success(request, "Your apologies have been sent to the secretary.")
            return redirect("committees:apology_link", token=token)
    sent = Apology.objects.filter(meeting=meeting, member=member).exists()
    status = refusal_status(form)
    page: dict[str, object] = {"meeting": meeting, "form": form, "sent": sent}
    return render(request, "committees/apology_link.html", page, status=status)
