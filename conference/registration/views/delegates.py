"""Branch delegates: each branch records the members it chose to vote for it, up to its number.

For a conference whose voting basis is delegates. The CAC sees every
branch; a branch organiser sees and records their own branch's delegates
(``conference.choose_delegates``, whose object is the branch); everyone
else is refused (403). The branch's number is the snapshot's
(``SnapshotBranch.delegates``); the service counts the branch's delegates
under a lock on that row and refuses one too many, and the refusal comes
back on the form (409) with nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.views_helpers import bound, refusal_on, refusal_status
from conference.models import VotingBasis
from conference.registration import selectors, services
from conference.registration.forms import DelegateForm
from conference.registration.services import ConferenceError


@login_required
@require_GET
def delegates(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The branches the reader may record delegates for: each one's number and how many are chosen."""
    conference = selectors.get_conference_for_delegates(request.user, slug)
    branch_ids = selectors.delegate_branch_ids(request.user, conference)
    context = {
        "conference": conference,
        "by_delegates": conference.voting_basis == VotingBasis.DELEGATES,
        "snapshot": selectors.snapshot_of(conference),
        "rows": selectors.branch_delegate_counts(conference, branch_ids),
    }
    return render(request, "conference/delegates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def branch_delegates(request: AuthenticatedHttpRequest, slug: str, branch_pk: int) -> HttpResponse:
    """A branch's delegates, and the form to record one more."""
    conference = selectors.get_conference_for_delegates(request.user, slug)
    branch = selectors.get_branch_for_delegates(request.user, conference, branch_pk)
    form = bound(DelegateForm, request, candidates=selectors.delegate_candidates(conference, branch))
    if form.is_valid():
        member = form.cleaned_data["member"]
        with refusal_on(form, ConferenceError):
            services.choose_delegate(actor=request.user, conference=conference, branch=branch, member=member)
            messages.success(request, f"{member.full_name} is recorded as a delegate of {branch.name}.")
            return redirect("conference:branch_delegates", slug=conference.slug, branch_pk=branch.pk)
    counts = selectors.branch_delegate_counts(conference, {branch.pk})
    row = counts[0] if counts else None
    context = {
        "conference": conference,
        "branch": branch,
        "row": row,
        "chosen": selectors.branch_delegates(conference, branch),
        "form": form,
    }
    return render(request, "conference/delegates_branch.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def remove_delegate(request: AuthenticatedHttpRequest, slug: str, branch_pk: int, pk: int) -> HttpResponse:
    """Take back one of the branch's delegates (not once they hold a voting credential)."""
    conference = selectors.get_conference_for_delegates(request.user, slug)
    branch = selectors.get_branch_for_delegates(request.user, conference, branch_pk)
    delegate = selectors.delegate_in(conference, branch, pk)
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            services.remove_delegate(actor=request.user, delegate=delegate)
            messages.success(
                request, f"{delegate.member.full_name} is no longer a delegate of {branch.name}."
            )
            return redirect("conference:branch_delegates", slug=conference.slug, branch_pk=branch.pk)
    context = {"conference": conference, "branch": branch, "delegate": delegate, "form": form}
    return render(request, "conference/delegates_remove.html", context, status=refusal_status(form))
