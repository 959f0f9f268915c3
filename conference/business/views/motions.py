"""Members' motions pages: the list, proposing, seconding, a motion and amendments, proposer controls.

Members (and those registered, the CAC and national office, and anyone who
may propose: branch organisers, the NC's and EC's secretaries) read a
conference's motions; others get a 403. Only a motion's proposer edits or
withdraws it and answers its amendments (403 to others who may read it). A
seconding link is for its named seconder alone (403 to anyone else; 400 when
tampered with). Every rule is in ``conference.motions``; a refusal comes back
on its form (status 409) with nothing written.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.views_helpers import bound, refusal_on, refusal_status
from conference.business import markdown, order_paper
from conference.business import selectors as business_selectors
from conference.business.forms import AmendmentAnswerForm, AmendmentForm, MotionEditForm, MotionForm
from conference.business.services import motions
from conference.models import Amendment, AmendmentKind, Motion
from conference.registration.services import ConferenceError


def _proposing(request: HttpRequest) -> dict[str, Any]:
    kinds = business_selectors.proposer_kinds(request.user)
    if not kinds:
        raise PermissionDenied("Members, branch organisers and committee secretaries propose business.")
    return {"kinds": kinds, "branches": business_selectors.organised_branches(request.user)}


# The list and proposing ---------------------------------------------------------------------------
@login_required
@require_GET
def motion_list(request: HttpRequest, slug: str) -> HttpResponse:
    conference = business_selectors.get_conference_business(request.user, slug)
    context = {
        "conference": conference,
        "rules": order_paper.rules_of(conference),
        "motions": list(business_selectors.conference_motions(conference, request.user)),
        "may_propose": bool(business_selectors.proposer_kinds(request.user)),
    }
    return render(request, "conference/motion_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def motion_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = business_selectors.get_conference_business(request.user, slug)
    rules = order_paper.rules_of(conference)
    if rules is None:
        messages.error(
            request, "This conference is not taking motions yet: the CAC has not set its deadlines."
        )
        return redirect("conference:motions", conference.slug)
    form = bound(MotionForm, request, word_limit=rules.word_limit, **_proposing(request))
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            motion = motions.submit_motion(actor=request.user, conference=conference, **form.submission())
            if motion.seconder_id:
                messages.success(
                    request, f"Motion submitted: {motion.title}. Your seconder has been e-mailed to confirm."
                )
            else:
                messages.success(request, f"Motion submitted: {motion.title}.")
            return redirect("conference:motion_detail", motion.pk)
    context = {
        "conference": conference,
        "rules": rules,
        "form": form,
        "past_deadline": timezone.now() >= rules.motions_deadline,
    }
    return render(request, "conference/motion_form.html", context, status=refusal_status(form))


# Seconding ------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def second(request: HttpRequest, token: str) -> HttpResponse:
    try:
        item = motions.read_seconder_token(token)
    except signing.BadSignature:
        return render(request, "conference/motion_second_invalid.html", status=400)
    seconder = item.seconder
    if seconder is None or seconder.user_id != request.user.pk:
        raise PermissionDenied("This seconding link is for the member named as seconder.")
    motion = item if isinstance(item, Motion) else item.motion
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            motions.confirm_seconding(token=token, actor=request.user)
            messages.success(request, "Thank you: you have seconded it.")
            return redirect("conference:motion_detail", motion.pk)
    context = {"item": item, "motion": motion, "is_motion": isinstance(item, Motion), "form": form}
    return render(request, "conference/motion_second.html", context, status=refusal_status(form))


# A motion and its amendments ------------------------------------------------------------------------
@dataclass(frozen=True)
class DiffLine:
    change: str  # "same", "deleted" or "inserted"
    number: int | None  # the motion's line number (None for an inserted line)
    text: str


@dataclass(frozen=True)
class ShownAmendment:
    """An amendment as the motion's page shows it: where it acts, the text as it would read (changed lines
    with the numbers of the text it amends), its own words numbered (when it can be amended), and the
    amendments to it, nested."""

    amendment: Amendment
    diff: list[DiffLine]
    problem: str
    lines: list[tuple[int, str]] = field(default_factory=list)
    subs: list[ShownAmendment] = field(default_factory=list)


def line_diff(before: str, after: str) -> list[DiffLine]:
    """The changed lines of ``after`` against the motion's numbered lines, with one line of context."""
    old, new = before.splitlines(), after.splitlines()
    rows: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for group in matcher.get_grouped_opcodes(1):
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(DiffLine("same", n + 1, old[n]) for n in range(i1, i2))
                continue
            rows.extend(DiffLine("deleted", n + 1, old[n]) for n in range(i1, i2))
            rows.extend(DiffLine("inserted", None, new[n]) for n in range(j1, j2))
    return rows


def _shown(text: str, amendment: Amendment, every: list[Amendment], depth: int = 0) -> ShownAmendment:
    """``amendment`` against ``text`` (the motion's, or its parent's words), with the amendments to it."""
    subs = [
        _shown(amendment.words, sub, every, depth + 1)
        for sub in every
        if sub.parent_id == amendment.pk and depth < 5
    ]
    lines = markdown.numbered_lines(amendment.words) if amendment.kind != AmendmentKind.DELETE else []
    if amendment.kind == AmendmentKind.FREE_TEXT:
        return ShownAmendment(amendment, [], "", lines, subs)
    try:
        after = motions.apply_amendment(text, amendment)
    except ConferenceError as exc:
        return ShownAmendment(amendment, [], str(exc), lines, subs)
    return ShownAmendment(amendment, line_diff(text, after), "", lines, subs)


def _amendable(every: list[Amendment]) -> list[tuple[int, str]]:
    """The amendments an amendment may amend (standing, with words of their own), for the form's choice."""
    return [
        (a.pk, f"Amendment {n}: {a.where}")
        for n, a in enumerate(every, start=1)
        if a.words and a.status != "withdrawn" and not a.outcome
    ]


@login_required
@require_GET
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    motion = business_selectors.get_motion_for_user(request.user, pk)
    rules = order_paper.rules_of(motion.conference)
    own = motion.submitted_by_id is not None and motion.submitted_by_id == request.user.pk
    every = list(business_selectors.motion_amendments(motion, request.user))
    context = {
        "conference": motion.conference,
        "motion": motion,
        "rules": rules,
        "lines": markdown.numbered_lines(motion.text),
        "amendments": [_shown(motion.text, a, every) for a in every if a.parent_id is None],
        "own": own,
        "may_edit": own and rules is not None and not motions.edit_refusal(motion, rules),
        "may_amend": rules is not None
        and not motions.amend_refusal(motion, rules)
        and bool(business_selectors.proposer_kinds(request.user)),
    }
    return render(request, "conference/motion_detail.html", context)


def _form_page(
    request: HttpRequest,
    *,
    motion: Motion,
    form: Any,
    heading: str,
    submit: str,
    intro: str = "",
    danger: bool = False,
) -> HttpResponse:
    context = {
        "conference": motion.conference,
        "motion": motion,
        "form": form,
        "heading": heading,
        "intro": intro,
        "submit": submit,
        "danger": danger,
    }
    return render(request, "conference/motion_action.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def motion_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    motion = business_selectors.get_own_motion(request.user, pk)
    rules = order_paper.rules_of(motion.conference)
    initial = {"title": motion.title, "text": motion.text, "topic": motion.topic}
    form = bound(MotionEditForm, request, word_limit=rules.word_limit if rules else 0, initial=initial)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            motions.edit_motion(actor=request.user, motion=motion, **form.motion())
            messages.success(request, "Motion saved.")
            return redirect("conference:motion_detail", motion.pk)
    intro = (
        f"You can change it until the deadline for motions ({rules.motions_deadline:%-d %B %Y, %H:%M})."
        if rules
        else ""
    )
    return _form_page(
        request,
        motion=motion,
        form=form,
        heading=f"Edit: {motion.title}",
        submit="Save the motion",
        intro=intro,
    )


@login_required
@require_http_methods(["GET", "POST"])
def motion_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    motion = business_selectors.get_own_motion(request.user, pk)
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            motions.withdraw(actor=request.user, item=motion)
            messages.success(request, f"Motion withdrawn: {motion.title}.")
            return redirect("conference:motion_detail", motion.pk)
    return _form_page(
        request,
        motion=motion,
        form=form,
        heading=f"Withdraw: {motion.title}",
        intro="It will not be debated. This cannot be undone.",
        submit="Withdraw the motion",
        danger=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def amendment_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    amendment = business_selectors.get_amendment_to_own_motion(request.user, pk)
    motion = business_selectors.get_own_motion(request.user, amendment.motion_id)
    initial = {} if amendment.accepted is None else {"answer": "accept" if amendment.accepted else "decline"}
    form = bound(AmendmentAnswerForm, request, initial=initial)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            motions.answer_amendment(actor=request.user, amendment=amendment, accept=form.accept())
            messages.success(
                request, "Amendment accepted." if form.accept() else "Amendment not accepted: it is voted on."
            )
            return redirect(
                reverse("conference:motion_detail", args=[motion.pk]) + f"#amendment-{amendment.pk}"
            )
    return _form_page(
        request,
        motion=motion,
        form=form,
        heading=f"Amendment {amendment.pk} to {motion.title}",
        intro="Accepted, it becomes part of the motion; not accepted, conference votes on it separately.",
        submit="Give the answer",
    )


@login_required
@require_http_methods(["GET", "POST"])
def amendment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    motion = business_selectors.get_motion_for_user(request.user, pk)
    rules = order_paper.rules_of(motion.conference)
    limit = rules.amendment_word_limit if rules else 0
    every = list(business_selectors.motion_amendments(motion, request.user))
    parents = _amendable(every) if rules is not None and rules.amendments_to_amendments else []
    form = bound(AmendmentForm, request, word_limit=limit, parents=parents, **_proposing(request))
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            parent = next((a for a in every if a.pk == form.parent_pk()), None)
            amendment = motions.submit_amendment(
                actor=request.user, motion=motion, parent=parent, **form.submission()
            )
            messages.success(request, f"Amendment submitted to {motion.title}.")
            return redirect(
                reverse("conference:motion_detail", args=[motion.pk]) + f"#amendment-{amendment.pk}"
            )
    context = {
        "conference": motion.conference,
        "motion": motion,
        "rules": rules,
        "lines": markdown.numbered_lines(motion.text),
        "amendments": [_shown(motion.text, a, every) for a in every if a.parent_id is None and parents],
        "form": form,
    }
    return render(request, "conference/motion_amendment_form.html", context, status=refusal_status(form))
