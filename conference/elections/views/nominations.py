"""Nomination pages: nominating, the nominee's link (accept or decline), and a nominee's own controls.

Nominating is for the election's electorate while nominations are open (404
to anyone who may not see the election, 403 to those who may but are not in
its electorate). The nominee's link carries the nomination's token and
needs no login: anyone holding it may answer, as with a committee's apology
link; a link that names no nomination is a 400. Editing the statement and
withdrawing are the signed-in nominee's alone (404 for anyone else's
nomination). A candidate's request for another ballot name is answered by
the returning officer alone (``nomination_ballot_name``: 404 to those who
may not see the election, 403 to the rest). The rules are in ``conference.nominations``; a refusal comes
back on the form (status 409) with nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.views_helpers import bound, refusal_on, refusal_status
from conference.elections.forms.elections import (
    BallotNameDecisionForm,
    NominationForm,
    SelfNominationForm,
    StatementForm,
)
from conference.elections.models import NominationStatus
from conference.elections.services import elections, nominations
from conference.elections.services.elections import ElectionError
from conference.registration import selectors


@login_required
@require_http_methods(["GET", "POST"])
def nomination_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Nominate another member (with a seconder), or yourself where the election allows it."""
    election = elections.get_election_for_user(request.user, pk)
    member = selectors.own_member(request.user)
    if member is None or not elections.in_electorate(election, member):
        raise PermissionDenied(nominations.electorate_refusal(election))
    posted_self = request.method == "POST" and "nominate_self" in request.POST
    posted_other = request.method == "POST" and not posted_self
    form = NominationForm(request.POST if posted_other else None, election=election, proposer=member)
    self_form = SelfNominationForm(request.POST if posted_self else None)
    if posted_other and form.is_valid():
        with refusal_on(form, ElectionError):
            nomination = nominations.nominate(
                actor=request.user,
                election=election,
                nominee=form.cleaned_data["nominee"],
                seconder=form.cleaned_data["seconder"],
            )
            messages.success(
                request,
                f"You nominated {nomination.nominee.full_name}. They are e-mailed a link to accept or "
                "decline; your seconder is told.",
            )
            return redirect("conference:election_detail", election.pk)
    if posted_self and self_form.is_valid():
        with refusal_on(self_form, ElectionError):
            nomination = nominations.nominate(actor=request.user, election=election, nominee=member)
            messages.success(request, "You are nominated. Now accept, with your statement to the voters.")
            return redirect("conference:nomination_respond", nomination.token)
    context = {
        "election": election,
        "form": form,
        "self_form": self_form,
        "closed": nominations.nominations_refusal(election),
    }
    status = refusal_status(form, self_form)
    return render(request, "conference/elections/nomination_form.html", context, status=status)


def _awaiting(token: str) -> str:
    """What to add when the nominee asked for a name other than their own."""
    found = nominations.nomination_by_token(token)
    if found is None or not found.requested_ballot_name:
        return ""
    return (
        f" You asked to stand as {found.requested_ballot_name}: the returning officer decides; "
        f"until then the ballot shows {found.ballot_name}."
    )


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "conference/elections/nomination_invalid.html", status=400)


@require_http_methods(["GET", "POST"])
def nomination_respond(request: HttpRequest, token: str) -> HttpResponse:
    """The nominee's link: accept (statement, ballot name) or go on to decline. No login needed."""
    nomination = nominations.nomination_by_token(token)
    if nomination is None:
        return _invalid_link(request)
    election = nomination.election
    form = bound(
        StatementForm,
        request,
        word_limit=election.statement_word_limit,
        initial={
            "ballot_name": nomination.requested_ballot_name or nomination.ballot_name,
            "statement": nomination.statement,
        },
    )
    if form.is_valid():
        with refusal_on(form, ElectionError):
            nominations.accept_nomination(
                token=token,
                statement=form.cleaned_data["statement"],
                ballot_name=form.cleaned_data["ballot_name"],
                actor=request.user,
            )
            messages.success(request, f"You are a candidate in {election.title}.{_awaiting(token)}")
            return redirect("conference:nomination_respond", token)
    context = {
        "election": election,
        "nomination": nomination,
        "form": form,
        "pending": nomination.status == NominationStatus.PENDING,
        "closed": nominations.nominations_refusal(election)
        if nomination.status == NominationStatus.PENDING
        else "",
    }
    return render(
        request, "conference/elections/nomination_respond.html", context, status=refusal_status(form)
    )


@require_http_methods(["GET", "POST"])
def nomination_decline(request: HttpRequest, token: str) -> HttpResponse:
    nomination = nominations.nomination_by_token(token)
    if nomination is None:
        return _invalid_link(request)
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ElectionError):
            nominations.decline_nomination(token=token, actor=request.user)
            messages.success(request, "You have declined the nomination; the proposer is told.")
            return redirect("conference:nomination_respond", token)
    context = {
        "election": nomination.election,
        "nomination": nomination,
        "form": form,
        "heading": f"Decline the nomination: {nomination.election.title}",
        "intro": "You will not be a candidate. Someone may nominate you again while nominations are open.",
        "submit": "Decline the nomination",
        "danger": True,
        "back": "respond",
        "unavailable": ""
        if nomination.status == NominationStatus.PENDING
        else f"This nomination is already {nomination.get_status_display().lower()}.",
    }
    return render(
        request, "conference/elections/nomination_action.html", context, status=refusal_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def nomination_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The candidate's statement and ballot-paper name, until voting opens."""
    nomination = nominations.get_own_nomination(request.user, pk)
    election = nomination.election
    form = bound(
        StatementForm,
        request,
        word_limit=election.statement_word_limit,
        initial={
            "ballot_name": nomination.requested_ballot_name or nomination.ballot_name,
            "statement": nomination.statement,
        },
    )
    if form.is_valid():
        with refusal_on(form, ElectionError):
            nominations.edit_statement(
                actor=request.user,
                nomination=nomination,
                statement=form.cleaned_data["statement"],
                ballot_name=form.cleaned_data["ballot_name"],
            )
            messages.success(request, "Your statement is saved." + _awaiting(nomination.token))
            return redirect("conference:election_detail", election.pk)
    unavailable = nominations.change_refusal(nomination)
    if not unavailable and nomination.status != NominationStatus.ACCEPTED:
        unavailable = "Accept the nomination first, from the link you were e-mailed."
    context = {
        "election": election,
        "nomination": nomination,
        "form": form,
        "heading": f"Your statement: {election.title}",
        "intro": f"Until voting opens you can change it. At most {election.statement_word_limit} words.",
        "submit": "Save the statement",
        "danger": False,
        "back": "election",
        "unavailable": unavailable,
    }
    return render(
        request, "conference/elections/nomination_action.html", context, status=refusal_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def nomination_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    nomination = nominations.get_own_nomination(request.user, pk)
    election = nomination.election
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ElectionError):
            nominations.withdraw_nomination(actor=request.user, nomination=nomination)
            messages.success(request, f"You have withdrawn from {election.title}.")
            return redirect("conference:election_detail", election.pk)
    context = {
        "election": election,
        "nomination": nomination,
        "form": form,
        "heading": f"Withdraw: {election.title}",
        "intro": "You will not be on the ballot paper. This cannot be undone, though you may be nominated "
        "again while nominations are open.",
        "submit": "Withdraw from the election",
        "danger": True,
        "back": "election",
        "unavailable": nominations.change_refusal(nomination),
    }
    return render(
        request, "conference/elections/nomination_action.html", context, status=refusal_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def nomination_ballot_name(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The returning officer approves or refuses the ballot name a candidate asked for."""
    found = nominations.nomination_for_officer(request.user, pk)
    election = found.election
    form = bound(BallotNameDecisionForm, request)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        with refusal_on(form, ElectionError):
            decided = nominations.decide_ballot_name(
                actor=request.user, nomination=found, approve=approve, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"{decided.nominee.full_name} stands as {decided.ballot_name}.")
            return redirect("conference:election_detail", election.pk)
    unavailable = nominations.change_refusal(found)
    if not unavailable and not found.requested_ballot_name:
        unavailable = "This candidate has not asked for another ballot name."
    context = {
        "election": election,
        "nomination": found,
        "form": form,
        "heading": f"Ballot name: {found.nominee.full_name}",
        "intro": f"{found.nominee.full_name} asks to stand as “{found.requested_ballot_name}” "
        f"instead of their own name. A name that nearly copies another candidate's cannot be approved.",
        "submit": "Record the decision",
        "danger": False,
        "back": "election",
        "unavailable": unavailable,
    }
    return render(
        request, "conference/elections/nomination_action.html", context, status=refusal_status(form)
    )
