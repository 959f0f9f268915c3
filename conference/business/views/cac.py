"""The CAC's business pages: the rules for motions, rulings, composites, the order of debate; the CAC
report and the order paper (a page and a PDF), and publishing them.

The CAC (``conference.run``) works every page; others get a 403. The CAC
report and the order paper are read by the CAC before publication and, once
published, by members registered for the conference; to anyone else they are
a 404, so an unpublished paper's existence is not shown. A refused change
comes back on its form (status 409) with nothing written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.permissions import has_rule
from awl.views_helpers import bound
from conference.business import order_paper
from conference.business import selectors as business_selectors
from conference.business.forms import BusinessRulesForm, CompositeForm, OrderForm, RulingForm
from conference.business.services import motions
from conference.business.services import publication as business
from conference.models import ItemStatus, Motion, Ruling
from conference.registration import selectors
from conference.registration.services import ConferenceError
from conference.rules import RUN


def _refused(
    request: HttpRequest, template: str, context: dict[str, Any], error: ConferenceError
) -> HttpResponse:
    messages.error(request, str(error))
    return render(request, template, {**context, "error": str(error)}, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def business_rules(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_with_perm(request.user, slug, RUN)
    rules = order_paper.rules_of(conference)
    initial = (
        {
            "motions_deadline": rules.motions_deadline,
            "amendments_deadline": rules.amendments_deadline,
            "word_limit": rules.word_limit,
            "amendment_word_limit": rules.amendment_word_limit,
            "amendments_to_amendments": rules.amendments_to_amendments,
        }
        if rules
        else {"word_limit": 500, "amendment_word_limit": 150}
    )
    form = bound(BusinessRulesForm, request, initial=initial)
    context = {"conference": conference, "form": form, "rules": rules}
    if form.is_valid():
        try:
            business.save_rules(actor=request.user, conference=conference, **form.cleaned_data)
        except ConferenceError as error:
            return _refused(request, "conference/business_rules.html", context, error)
        messages.success(request, "The business rules are saved.")
        return redirect("conference:business", conference.slug)
    return render(request, "conference/business_rules.html", context)


@login_required
@require_GET
def business_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Every motion and amendment with its ruling, and the buttons to rule."""
    conference = selectors.get_conference_with_perm(request.user, slug, RUN)
    context = {
        "conference": conference,
        "rules": order_paper.rules_of(conference),
        "report": order_paper.cac_report(conference),
        "pending": Ruling.PENDING,
        "awaiting": ItemStatus.AWAITING_SECONDER,
    }
    return render(request, "conference/business_rulings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rule(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    item = business_selectors.get_business_item_to_run(request.user, kind, pk)
    conference = item.conference if isinstance(item, Motion) else item.motion.conference
    form = bound(RulingForm, request, initial={"ruling": item.ruling, "reason": item.ruling_reason})
    context = {"conference": conference, "item": item, "kind": kind, "form": form}
    if form.is_valid():
        try:
            motions.rule(actor=request.user, item=item, **form.cleaned_data)
        except ConferenceError as error:
            return _refused(request, "conference/business_rule.html", context, error)
        messages.success(request, "The ruling is recorded and the proposer told.")
        return redirect("conference:business", conference.slug)
    return render(request, "conference/business_rule.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def composite(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_with_perm(request.user, slug, RUN)
    standing = business_selectors.motions_to_composite(conference)
    form = bound(CompositeForm, request, motions=standing)
    context = {"conference": conference, "form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = motions.composite(
                actor=request.user,
                conference=conference,
                motions=form.chosen(),
                title=data["title"],
                text=data["text"],
                topic=data["topic"],
                movers_agreed=data["movers_agreed"],
            )
        except ConferenceError as error:
            return _refused(request, "conference/business_composite.html", context, error)
        messages.success(request, f"The composite “{made.title}” replaces {len(form.chosen())} motions.")
        return redirect("conference:business", conference.slug)
    return render(request, "conference/business_composite.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def business_order(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_with_perm(request.user, slug, RUN)
    in_order = business_selectors.motions_to_order(conference)
    form = bound(OrderForm, request, motions=in_order)
    context = {"conference": conference, "form": form, "motions": in_order}
    if form.is_valid():
        try:
            motions.order_business(actor=request.user, conference=conference, motions=form.ordered())
        except ConferenceError as error:
            return _refused(request, "conference/business_order.html", context, error)
        messages.success(request, "The order of debate is set.")
        return redirect("conference:order_paper", conference.slug)
    return render(request, "conference/business_order.html", context)


@login_required
@require_GET
def cac_report(request: HttpRequest, slug: str) -> HttpResponse:
    conference, rules = order_paper.conference_readable(request.user, slug, "cac_report")
    context = {
        "conference": conference,
        "rules": rules,
        "report": order_paper.cac_report(conference, user=request.user),
        "is_cac": has_rule(request.user, RUN, conference),
    }
    return render(request, "conference/cac_report.html", context)


@login_required
@require_GET
def order_paper_page(request: HttpRequest, slug: str) -> HttpResponse:
    conference, rules = order_paper.conference_readable(request.user, slug, "order_paper")
    context = {
        "conference": conference,
        "rules": rules,
        "paper": order_paper.order_paper(conference),
        "is_cac": has_rule(request.user, RUN, conference),
    }
    return render(request, "conference/order_paper.html", context)


@login_required
@require_GET
def order_paper_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    conference, _rules = order_paper.conference_readable(request.user, slug, "order_paper")
    pdf = order_paper.order_paper_pdf(conference, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="order-paper-{conference.slug}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def business_publish(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_with_perm(request.user, slug, RUN)
    form = bound(ConfirmForm, request)
    context = {"conference": conference, "form": form, "rules": order_paper.rules_of(conference)}
    if form.is_valid():
        try:
            business.publish_business(actor=request.user, conference=conference)
        except ConferenceError as error:
            return _refused(request, "conference/business_publish.html", context, error)
        messages.success(
            request, "The order paper and the CAC report are published; registered members are told."
        )
        return redirect("conference:order_paper", conference.slug)
    return render(request, "conference/business_publish.html", context)
