"""Calendar feeds, and the secretary's page of mail that could not be delivered.

Feeds are read by calendar programs, which cannot log in: the address
carries a secret token instead. A member's own feed (``member_feed``) uses
a revocable ``CalendarToken`` and lists the meetings of every committee the
member sits on today, with their online links. A committee's feed
(``committee_feed``) is per member too: the same token opens it, only while
the member holds a current term on that committee (410 Gone once it ended),
and it carries no online meeting links, so an address that gets passed on
gives nobody a way into a meeting. There is no shared committee address.
Both answer 404 for a wrong or revoked token, are never cached, and carry each
meeting's stable UID and SEQUENCE, so a moved or cancelled meeting updates
the event a calendar already holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from awl import outbox
from awl.http import AuthenticatedHttpRequest
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from committees import notices, selectors, services
from committees.forms import CalendarFeedForm, ResendMessageForm
from committees.models import Committee
from committees.selectors import feed_urls
from members import selectors as member_selectors

FEED_REFRESH = dt.timedelta(hours=1)
FAILED_PAGE_LIMIT = 200


def _committee_for(user: Any, slug: str, perm: str) -> Committee:
    """The committee, if the user may see it (404 otherwise) and holds ``perm`` on it (403 otherwise)."""
    committee = selectors.get_committee_for_user(user, slug)
    if not has_rule(user, perm, committee):
        raise PermissionDenied
    return committee


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    return response


# A member's own feed --------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make, show, replace or revoke the member's private feed address."""
    member = member_selectors.get_own_member(request.user)
    form = bound(CalendarFeedForm, request)
    if form.is_valid():
        with refusal_on(form, services.CommitteeError):
            if form.cleaned_data["action"] == "new":
                services.new_calendar_token(actor=request.user, member=member)
                messages.success(
                    request, "Your calendar feed address is ready; any earlier one has stopped working."
                )
            else:
                services.revoke_calendar_token(actor=request.user, member=member)
                messages.success(request, "Your calendar feed address has stopped working.")
            return redirect("committees:my_calendar")
    token = selectors.active_calendar_token(member)
    context: dict[str, Any] = {"form": form, "token": token}
    if token is not None:
        context |= feed_urls(reverse("committees:member_feed", args=[token.token]))
    return render(request, "committees/calendar_mine.html", context, status=refusal_status(form))


@never_cache
@require_GET
def member_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The member's committees' meetings as iCalendar; no login, the token is the key."""
    member = selectors.member_for_feed(token)
    body = notices.calendar_for(
        selectors.member_feed_meetings(member), name="My AWL committee meetings", refresh=FEED_REFRESH
    )
    return _ics_response(body, "awl-committees.ics")


# A committee's feed, one per member ------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def committee_calendar(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The reader's own address for the committee's feed, while they sit on it; they can make one."""
    committee = _committee_for(request.user, slug, "committees.view_committee")
    sits_on = selectors.member_on_committee(request.user, committee, timezone.localdate())
    error = ""
    if request.method == "POST":
        if sits_on is None:
            raise PermissionDenied
        try:
            services.new_calendar_token(actor=request.user, member=sits_on)
        except services.CommitteeError as exc:
            error = str(exc)
        else:
            messages.success(request, "Your feed has a new address; the old one has stopped working.")
            return redirect("committees:committee_calendar", slug=committee.slug)
    context = {
        "committee": committee,
        "sits_on": sits_on is not None,
        "error": error,
        **selectors.committee_feed_urls(request.user, committee),
    }
    return render(request, "committees/calendar_committee.html", context, status=409 if error else 200)


@never_cache
@require_GET
def committee_feed(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """One member's feed of the committee's meetings, with no online links; only while they sit on it.

    The token is the member's own calendar token; their terms are checked at every request, so the
    feed answers 410 Gone once their term on the committee has ended.
    """
    committee = Committee.objects.filter(slug=slug).first()
    if committee is None:
        raise Http404("No such calendar feed.")
    try:
        selectors.member_for_committee_feed(token, committee)
    except selectors.FeedGone:
        return HttpResponse("This calendar feed has ended.", status=410, content_type="text/plain")
    body = notices.calendar_for(
        selectors.committee_feed_meetings(committee),
        name=f"{committee.name} meetings",
        refresh=FEED_REFRESH,
        links=False,
    )
    return _ics_response(body, f"{committee.slug}.ics")


# Mail that could not be delivered -------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def failed_messages(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The committee's mail that failed or is still being retried, with a resend button for each."""
    committee = _committee_for(request.user, slug, "committees.manage_meetings")
    form = bound(ResendMessageForm, request)
    if form.is_valid():
        with refusal_on(form, services.CommitteeError):
            services.resend_committee_message(
                actor=request.user, committee=committee, message_id=form.cleaned_data["message"]
            )
            messages.success(request, "The message will be sent again in a moment.")
            return redirect("committees:failed_messages", slug=committee.slug)
    found = list(
        outbox.needing_attention(notices.mail_group(committee)).order_by("-created_at", "-pk")[
            : FAILED_PAGE_LIMIT + 1
        ]
    )
    context = {
        "committee": committee,
        "form": form,
        "rows": found[:FAILED_PAGE_LIMIT],
        "more": len(found) > FAILED_PAGE_LIMIT,
        "limit": FAILED_PAGE_LIMIT,
        "now": timezone.now(),
    }
    status = refusal_status(form)
    return render(request, "committees/failed_messages.html", context, status=status)
