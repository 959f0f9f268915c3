"""Outcomes, the text as carried, and the policy record.

The conference arrangements committee (``conference.run``) records each
item's outcome in debating order (amendments before their motion) on a page
listing the order paper, with the live count of entitled members present:
the outcome, how it was voted, the counts and the majority required. Whether
the majority was met is computed by ``conference.motions.record_outcome`` and
shown afterwards, never typed. The CAC then checks, may edit, and publishes
each carried motion's text as carried. Members read the policy record: every
published carried motion, across conferences, searchable by words, year and
topic. A refused write comes back on its form (status 409) with nothing
written; others get a 403 on the CAC's pages.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from awl.http import AuthenticatedHttpRequest
from awl.paging import page_of
from awl.views_helpers import bound, refusal_on, refusal_status
from conference.business import selectors as business_selectors
from conference.business.forms import CarriedTextForm, OutcomeForm, PolicySearchForm
from conference.business.services import motions
from conference.models import Amendment, Motion, Outcome
from conference.registration import selectors
from conference.registration.services import ConferenceError, counts

POLICY_PAGE_SIZE = 20


def _kind(item: Motion | Amendment) -> str:
    return "motion" if isinstance(item, Motion) else "amendment"


def _outcome_form(item: Motion | Amendment, data: object = None) -> OutcomeForm:
    """One item's form; ids carry the item so that many forms can share a page."""
    return OutcomeForm(
        data,  # type: ignore[arg-type]
        auto_id=f"id_{_kind(item)}{item.pk}_%s",
        initial={"majority": item.majority},
    )


def _outcomes_url(slug: str, item: Motion | Amendment | None = None) -> str:
    url = reverse("conference:outcomes", args=[slug])
    return f"{url}#{_kind(item)}-{item.pk}" if item is not None else url


@login_required
@require_GET
def outcomes(request: HttpRequest, slug: str) -> HttpResponse:
    """The order paper in debating order, each item with its outcome or the form to record it."""
    conference = selectors.get_conference_to_run(request.user, slug)
    rows = []
    for motion in business_selectors.debating_order(conference):
        amendments = [(amendment, _outcome_form(amendment)) for amendment in motion.debate]  # type: ignore[attr-defined]
        rows.append((motion, _outcome_form(motion), amendments))
    context = {"conference": conference, "rows": rows, "counts": counts(conference)}
    return render(request, "conference/outcome_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_outcome(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    item = business_selectors.get_business_item_to_run(request.user, kind, pk)
    motion = item if isinstance(item, Motion) else item.motion
    conference = motion.conference
    form = _outcome_form(item, request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            done = motions.record_outcome(actor=request.user, item=item, **form.outcome_values())
            verdict = ""
            if done.majority_met is not None:
                verdict = (
                    " The majority required was met." if done.majority_met else " The majority was not met."
                )
            messages.success(request, f"Recorded: {done.get_outcome_display()}.{verdict}")
            if isinstance(done, Motion) and done.outcome == Outcome.CARRIED:
                return redirect("conference:as_carried", done.pk)
            return redirect(_outcomes_url(conference.slug, done))
    context = {
        "conference": conference,
        "item": item,
        "kind": _kind(item),
        "motion": motion,
        "form": form,
        "counts": counts(conference),
    }
    status = refusal_status(form)
    return render(request, "conference/outcome_record.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def as_carried(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The CAC checks, may edit, and publishes a carried motion's text as carried."""
    motion = business_selectors.get_motion_to_run(request.user, pk)
    carried = motion.outcome == Outcome.CARRIED
    draft = motion.carried_text or (motions.as_carried(motion) if carried else "")
    form = bound(CarriedTextForm, request, initial={"text": draft})
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            motions.publish_as_carried(actor=request.user, motion=motion, text=form.cleaned_data["text"])
            messages.success(request, f"“{motion.title}” as carried is in the policy record.")
            return redirect(_outcomes_url(motion.conference.slug, motion))
    context = {"conference": motion.conference, "motion": motion, "form": form, "carried": carried}
    status = refusal_status(form)
    return render(request, "conference/outcome_carried.html", context, status=status)


@login_required
@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    """The policy record: carried motions as carried, across conferences, for members."""
    if not business_selectors.may_read_policy(request.user):
        raise PermissionDenied("The policy record is for members.")
    years, topics = business_selectors.policy_years_and_topics()
    form = PolicySearchForm(request.GET or None, years=years, topics=topics)
    year = form.value("year")
    rows = business_selectors.policy_record(
        query=form.value("q"), year=int(year) if year else None, topic=form.value("topic")
    )
    page = page_of(request, rows, POLICY_PAGE_SIZE)
    filters = form.filters()
    context = {"form": form, "page": page, "searching": bool(filters), "query_string": urlencode(filters)}
    return render(request, "conference/policy_record.html", context)
