"""Ballot and teller pages: voting on a phone, the receipt, paper ballots, the reconciliation, receipts.

Access: an election nobody may see (``elections.can_view``) is a 404 on every
page here. Among those who may see it:

* the ballot page and the receipt page are for its electorate (403 to the
  rest, with the reason);
* the tellers issue paper ballots (as does the returning officer) and enter
  papers; the tellers and the returning officer read the reconciliation,
  and the returning officer alone accepts it, and appoints and removes
  tellers (403 to others);
* the list of receipts counted is for the electorate, the returning officer
  and those who set elections up, and is published when the result is
  declared.

**Voting without JavaScript.** The ballot page is one form. The ranking so
far travels in a hidden field (``ballot_forms.BallotPaper``) and each button
is a step: "Add … as preference N", "Up", "Down", "Remove", "Start again",
"Review my ballot", then "Cast my ballot" or "Change". Every step reads the
hidden ranking again and answers with the page (nothing is stored, and the
ranking never appears in an address, so no log or history holds it). Casting
calls ``ballots.cast_ballot`` and redirects to the receipt page; the receipt
travels to it in a short-lived signed cookie for that page alone, shown once
and deleted, so the server never stores a receipt beside a voter. Once a
member has voted the ballot page says so and shows nothing of the ballot.
Nothing here is cached by the browser.

**No side channel in the size.** Someone who sees only the sizes of the
responses (TLS records on the conference Wi-Fi, an access log) must learn
nothing of the ranking. Each step page shows the names ranked so far, so
its natural length depends on them; every response of the ballot page is
therefore padded to one length for the election (``_padded``): the largest
the page can be for these candidates (every one ranked, and the review of
every one ranked, nobody ranked, each with the longest message the page
shows), plus a margin, rounded up to ``PAD_BLOCK``. That length depends on
the candidates' names, never on what the voter ranked. The redirect after
casting has no body, and the receipt page shows a code of fixed length.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from awl.codes import read_code
from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from conference.elections.forms.ballots import (
    AppointTellerForm,
    BallotPaper,
    BallotStepForm,
    IssueSearchForm,
    PaperEntryForm,
    ReceiptCheckForm,
)
from conference.elections.models import Election, Teller, VotedBy
from conference.elections.services import ballots, elections, nominations
from conference.elections.services.elections import ElectionError, Phase
from conference.rules import RETURN_ELECTION, SET_UP_ELECTION
from members.models import Member
from members.selectors import own_member

RECEIPT_COOKIE = "awl_ballot_receipt"
RECEIPT_SECONDS = 15 * 60
# Ballot pages are padded to a multiple of this many bytes, above the largest the page can be.
PAD_BLOCK = 1024
# Room above the largest page rendered for the bound, for what varies besides the names: digits of a
# preference number, the wording of a refusal from the service (voting closed, already voted, ...).
PAD_MARGIN = 1024
# The longest message the step pages show themselves (the bound renders with it).
_LONGEST_STEP_ERROR = "Your ranking could not be read (the page may be out of date): please rank again."

logger = logging.getLogger(__name__)


# Access ------------------------------------------------------------------------------------------------
def _voter(request: AuthenticatedHttpRequest, pk: int) -> tuple[Election, Member | None, str]:
    """The election (404 if unseen), the voter's member record, and why they may not vote ("" if they may)."""
    election = elections.get_election_for_user(request.user, pk)
    member = own_member(request.user)
    if member is None or not elections.in_electorate(election, member):
        return election, member, "You are not in the electorate for this election, so you cannot vote in it."
    return election, member, ""


def _not_in_electorate(request: HttpRequest, election: Election, reason: str) -> HttpResponse:
    context = {"election": election, "reason": reason}
    return render(request, "conference/elections/ballot_refused.html", context, status=403)


def _teller_or_officer(request: AuthenticatedHttpRequest, pk: int) -> tuple[Election, Teller | None]:
    election = elections.get_election_for_user(request.user, pk)
    teller = ballots.teller_of(request.user, election)
    if teller is None and not has_rule(request.user, RETURN_ELECTION, election):
        raise PermissionDenied("The tellers and the returning officer issue paper ballots.")
    return election, teller


def _teller(request: AuthenticatedHttpRequest, pk: int) -> tuple[Election, Teller]:
    election = elections.get_election_for_user(request.user, pk)
    teller = ballots.teller_of(request.user, election)
    if teller is None:
        raise PermissionDenied("Only this election's tellers enter paper ballots.")
    return election, teller


def _roles(request: AuthenticatedHttpRequest, election: Election) -> dict[str, bool]:
    """For the links between the paper-ballot pages."""
    return {
        "is_teller": ballots.teller_of(request.user, election) is not None,
        "is_officer": has_rule(request.user, RETURN_ELECTION, election),
    }


# The ballot -------------------------------------------------------------------------------------------
def _receipt_salt(election: Election, request: HttpRequest) -> str:
    return f"ballot-receipt:{election.pk}:{request.user.pk}"


def _ballot_context(
    election: Election, paper: BallotPaper, ranking: list[int], *, review: bool, error: str
) -> dict[str, object]:
    ranked = paper.nominations(ranking)
    return {
        "election": election,
        "ranked": ranked,
        "unranked": [
            (place, nomination)
            for place, nomination in enumerate(paper.candidates, start=1)
            if place not in ranking
        ],
        "next_preference": len(ranking) + 1,
        "ranking": BallotPaper.write(ranking),
        "paper": paper.key,
        "review": review and bool(ranking),
        "error": error,
        "ballot_order": nominations.ballot_order_text(election),
    }


def _padded_size(request: HttpRequest, election: Election, paper: BallotPaper) -> int:
    """The one length of every ballot page of this election: see the module docstring.

    It is worked out from the candidates alone, by rendering the largest pages the ranking can make.
    """
    everyone = list(range(1, len(paper.candidates) + 1))
    error = _LONGEST_STEP_ERROR
    largest = max(
        len(render(request, "conference/elections/ballot_vote.html", context).content)
        for context in (
            _ballot_context(election, paper, everyone, review=False, error=error),
            _ballot_context(election, paper, everyone, review=True, error=error),
            _ballot_context(election, paper, [], review=False, error=error),
        )
    )
    return -(-(largest + PAD_MARGIN) // PAD_BLOCK) * PAD_BLOCK


def _padded(response: HttpResponse, size: int) -> HttpResponse:
    """``response`` with its body padded by trailing whitespace (after ``</html>``) to ``size`` bytes."""
    body = response.content
    if len(body) > size:  # the bound failed: still pad, to a block, and say so
        logger.error("A ballot page of %d bytes exceeds its padded size %d.", len(body), size)
        size = -(-len(body) // PAD_BLOCK) * PAD_BLOCK
    response.content = body + b"\n" * (size - len(body))
    return response


def _ballot_page(
    request: HttpRequest,
    election: Election,
    paper: BallotPaper,
    ranking: list[int],
    *,
    review: bool = False,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The ballot page for this step, padded to the election's one length."""
    context = _ballot_context(election, paper, ranking, review=review, error=error)
    response = render(request, "conference/elections/ballot_vote.html", context, status=status)
    return _padded(response, _padded_size(request, election, paper))


def _step(ranking: list[int], do: str, size: int) -> tuple[list[int], bool, str]:
    """Apply one button to the ranking: (new ranking, whether to review, an error or "")."""
    action, _, argument = do.partition("-")
    if action in {"review", "change", "clear"} and not argument:
        if action == "review":
            return (
                ranking,
                True,
                "" if ranking else "Rank at least one candidate before reviewing your ballot.",
            )
        return ([] if action == "clear" else ranking), False, ""
    if not argument.isdigit() or len(argument) > 4:
        return ranking, False, "That button could not be read: your ranking is as it was."
    index = int(argument)
    ranking = list(ranking)
    if action == "add" and 1 <= index <= size and index not in ranking:
        ranking.append(index)
    elif action == "remove" and 1 <= index <= len(ranking):
        del ranking[index - 1]
    elif action == "up" and 2 <= index <= len(ranking):
        ranking[index - 2], ranking[index - 1] = ranking[index - 1], ranking[index - 2]
    elif action == "down" and 1 <= index < len(ranking):
        ranking[index - 1], ranking[index] = ranking[index], ranking[index - 1]
    else:
        return ranking, False, "That button could not be read: your ranking is as it was."
    return ranking, False, ""


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def ballot_vote(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election, member, refusal = _voter(request, pk)
    if refusal:
        return _not_in_electorate(request, election, refusal)
    if ballots.has_voted(election, member):
        return render(request, "conference/elections/ballot_voted.html", {"election": election})
    closed = ballots.voting_refusal(election)
    if closed:
        return render(
            request, "conference/elections/ballot_closed.html", {"election": election, "reason": closed}
        )
    paper = BallotPaper.of(election)
    if request.method == "GET":
        return _ballot_page(request, election, paper, [])
    form = BallotStepForm(request.POST)
    if not form.is_valid():
        return _ballot_page(request, election, paper, [], error="That button could not be read.", status=400)
    ranking = paper.read(form.cleaned_data["paper"], form.cleaned_data["ranking"])
    if ranking is None:
        return _ballot_page(
            request,
            election,
            paper,
            [],
            error=_LONGEST_STEP_ERROR,
            status=400,
        )
    do = form.cleaned_data["do"]
    if do != "cast":
        ranking, review, error = _step(ranking, do, len(paper.candidates))
        return _ballot_page(request, election, paper, ranking, review=review, error=error)
    try:
        receipt = ballots.cast_ballot(actor=request.user, election=election, ranking=paper.keys(ranking))
    except ElectionError as exc:
        if ballots.has_voted(election, member):
            return render(
                request, "conference/elections/ballot_voted.html", {"election": election}, status=409
            )
        return _ballot_page(request, election, paper, ranking, review=True, error=str(exc), status=409)
    response = redirect("conference:ballot_receipt", election.pk)
    response.set_signed_cookie(
        RECEIPT_COOKIE,
        receipt,
        salt=_receipt_salt(election, request),
        max_age=RECEIPT_SECONDS,
        path=reverse("conference:ballot_receipt", args=[election.pk]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


@login_required
@never_cache
@require_GET
def ballot_receipt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election, member, refusal = _voter(request, pk)
    if refusal:
        return _not_in_electorate(request, election, refusal)
    path_ = reverse("conference:ballot_receipt", args=[election.pk])
    try:
        receipt = request.get_signed_cookie(
            RECEIPT_COOKIE, salt=_receipt_salt(election, request), max_age=RECEIPT_SECONDS
        )
    except (KeyError, signing.BadSignature):
        receipt = None
    context = {"election": election, "receipt": receipt, "voted": ballots.has_voted(election, member)}
    response = render(request, "conference/elections/ballot_receipt.html", context)
    response.delete_cookie(RECEIPT_COOKIE, path=path_, samesite="Strict")
    return response


@login_required
@require_GET
def ballot_receipts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election = elections.get_election_for_user(request.user, pk)
    user = request.user
    closing_day = timezone.localtime(election.voting_closes_at).date()
    if not (
        has_rule(user, RETURN_ELECTION, election)
        or has_rule(user, SET_UP_ELECTION, None)
        or elections.in_electorate(election, own_member(user), on=closing_day)
    ):
        raise PermissionDenied("The list of receipts is for the electorate and the returning officer.")
    published = election.confirmed_at is not None
    search = ReceiptCheckForm(request.GET or None)
    typed = search.cleaned_data["receipt"] if search.is_valid() else ""
    code = read_code(typed) if typed else None
    context = {
        "election": election,
        "published": published,
        "receipts": ballots.receipts(election) if published else [],
        "search": search,
        "typed": typed,
        "code": code,
        "found": published and code is not None and ballots.receipt_counted(election, code),
    }
    return render(request, "conference/elections/ballot_receipts.html", context)


# Tellers: the returning officer's page -------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def teller_manage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election = elections.get_election_to_return(request.user, pk)
    form = bound(AppointTellerForm, request)
    if form.is_valid():
        user = nominations.user_with_email(form.cleaned_data["email"])
        if user is None:
            form.add_error("email", "Nobody has an account with that e-mail address.")
        else:
            with refusal_on(form, ElectionError):
                ballots.appoint_teller(actor=request.user, election=election, user=user)
                messages.success(request, f"{user.email} is now a teller; they have been e-mailed.")
                return redirect("conference:teller_manage", election.pk)
    context = {
        "election": election,
        "form": form,
        "tellers": list(ballots.tellers(election)),
        "turnout": ballots.turnout(election),
        "open": election.confirmed_at is None and election.papers_accepted_at is None,
        **_roles(request, election),
    }
    return render(request, "conference/elections/teller_manage.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def teller_remove(request: AuthenticatedHttpRequest, pk: int, teller_pk: int) -> HttpResponse:
    election = elections.get_election_to_return(request.user, pk)
    teller = ballots.tellers(election).filter(pk=teller_pk).first()
    if teller is None:
        raise Http404("No such teller.")
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ElectionError):
            removed = ballots.remove_teller(actor=request.user, teller=teller)
            papers = f" and their {removed} paper entr{'y' if removed == 1 else 'ies'}" if removed else ""
            messages.success(request, f"{teller.user.email} is no longer a teller{papers}.")
            return redirect("conference:teller_manage", election.pk)
    context = {"election": election, "teller": teller, "form": form}
    return render(request, "conference/elections/teller_remove.html", context, status=refusal_status(form))


# Tellers: issuing paper ballots ---------------------------------------------------------------------------
@login_required
@require_GET
def teller_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election, _ = _teller_or_officer(request, pk)
    search = IssueSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    found, more = ballots.electorate_search(election, q)
    context = {
        "election": election,
        "search": search,
        "q": q,
        "found": found,
        "more": more,
        "turnout": ballots.turnout(election),
        "closed": ballots.voting_refusal(election),
        "online": VotedBy.ONLINE,
        "paper": VotedBy.PAPER,
        **_roles(request, election),
    }
    return render(request, "conference/elections/teller_issue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def teller_issue_member(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    election, _ = _teller_or_officer(request, pk)
    member = elections.electorate(election).filter(pk=member_pk).first()
    if member is None:
        raise Http404("Nobody by that number is in the electorate.")
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ElectionError):
            ballots.issue_paper_ballot(actor=request.user, election=election, member=member)
            messages.success(request, f"Paper ballot issued to {member.full_name}: hand them one paper.")
            return redirect("conference:teller_issue", election.pk)
    context = {
        "election": election,
        "member": member,
        "form": form,
        "voted_by": ballots.voted_by(election, member),
        "closed": ballots.voting_refusal(election),
    }
    return render(
        request, "conference/elections/teller_issue_member.html", context, status=refusal_status(form)
    )


# Tellers: entering papers ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def teller_enter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election, teller = _teller(request, pk)
    paper = BallotPaper.of(election)
    names = {nomination.pk: nomination.ballot_name for nomination in paper.candidates}
    form = bound(PaperEntryForm, request, ballot=paper)
    if form.is_valid():
        data = form.cleaned_data
        with refusal_on(form, ElectionError):
            entry = ballots.enter_paper(
                actor=request.user,
                election=election,
                paper_number=data["paper_number"],
                ranking=data["ranking"],
                spoilt=data["spoilt"],
                correct=data["correct"],
            )
            done = "corrected" if data["correct"] else "entered"
            shown = "spoilt" if entry.spoilt else f"{len(entry.preferences)} preference(s)"
            messages.success(request, f"Paper {entry.paper_number} {done}: {shown}. {form.note}".strip())
            return redirect("conference:teller_enter", election.pk)
    context = {
        "election": election,
        "form": form,
        "entries": [
            (entry, [names.get(pk, "(not a candidate)") for pk in entry.preferences])
            for entry in ballots.own_entries(teller)
        ],
        "closed": election.papers_accepted_at is not None or election.confirmed_at is not None,
        "waiting": ballots.entry_refusal(election),
        "is_teller": True,
        "is_officer": has_rule(request.user, RETURN_ELECTION, election),
    }
    return render(request, "conference/elections/teller_enter.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def teller_reconcile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election, _ = _teller_or_officer(request, pk)
    officer = has_rule(request.user, RETURN_ELECTION, election)
    form = bound(ConfirmForm, request)
    if request.method == "POST":
        if not officer:
            raise PermissionDenied("Only the returning officer accepts the paper ballots.")
        if form.is_valid():
            with refusal_on(form, ElectionError):
                made = ballots.accept_papers(actor=request.user, election=election)
                messages.success(
                    request, f"The paper ballots are accepted: {made} ballot(s) will be counted."
                )
                return redirect("conference:teller_reconcile", election.pk)
    found = ballots.reconciliation(election)
    context = {
        "election": election,
        "found": found,
        "officer": officer,
        "form": form,
        "may_accept": officer
        and found.ready
        and found.accepted_at is None
        and elections.phase(election) == Phase.CLOSED,
        "voting_open": elections.phase(election) == Phase.VOTING,
        **_roles(request, election),
    }
    return render(request, "conference/elections/teller_reconcile.html", context, status=refusal_status(form))
