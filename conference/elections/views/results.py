"""The count and the result: the returning officer's count page, the count sheet, confirming, BLT files.

Access: an election nobody may see (``elections.can_view``) is a 404 on every
page here. Among those who may see it:

* the count page, the confirm page and the BLT import are for its returning
  officer alone (403 to the rest);
* a count sheet (page and CSV) is the returning officer's; once a count is
  confirmed, its sheet is also for those who may read the result (the
  electorate, the candidates, officers: ``results.may_read_result``; 403 to
  others). A count never confirmed is a 404 to everyone else;
* the result page and the ballots file (BLT) are published with the
  result: before it, a 404 to all but the returning officer (who may
  download the ballots once voting has closed), afterwards for those who
  may read it (403 to others).

A refused write comes back on its page (status 409) with the reason and
nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from awl.exports import csv_download, excel_requested
from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from conference.elections.forms.results import CountForm, ImportForm, OffSystemForm
from conference.elections.models import Election, ElectionCount
from conference.elections.services import elections, results
from conference.elections.services.elections import ElectionError
from conference.rules import RETURN_ELECTION


# Access ------------------------------------------------------------------------------------------------
def _count_for_user(request: AuthenticatedHttpRequest, pk: int) -> tuple[Election, ElectionCount]:
    """A count the user may read: any count for the returning officer, the confirmed one for readers."""
    count = ElectionCount.objects.filter(pk=pk).first()
    if count is None:
        raise Http404("No such count.")
    election = elections.get_election_for_user(request.user, count.election_id)
    if has_rule(request.user, RETURN_ELECTION, election):
        return election, count
    if election.confirmed_count_id != count.pk:
        raise Http404("No such count.")
    if not results.may_read_result(request.user, election):
        raise PermissionDenied("The result is for the electorate, the candidates and officers.")
    return election, count


def _result_for_user(request: AuthenticatedHttpRequest, pk: int) -> Election:
    election = elections.get_election_for_user(request.user, pk)
    if results.may_read_result(request.user, election):
        return election
    if election.confirmed_at is None:
        raise Http404("The result has not been declared.")
    raise PermissionDenied("The result is for the electorate, the candidates and officers.")


# The returning officer's pages ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def count_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The counts run so far, and the form to run the count (with an optional seed)."""
    election = elections.get_election_to_return(request.user, pk)
    form = bound(CountForm, request)
    if form.is_valid():
        with refusal_on(form, ElectionError):
            count = results.run_count(
                actor=request.user,
                election=election,
                seed=form.cleaned_data["seed"],
                reason=form.cleaned_data["reason"],
            )
            elected = ", ".join(count.result["elected"]) or "nobody"
            messages.success(
                request, f"Counted {count.ballots} ballot papers (seed {count.seed}). Elected: {elected}."
            )
            return redirect("conference:result_sheet", count.pk)
    counts = results.counts_of(election)
    context = {
        "election": election,
        "phase": elections.phase(election),
        "refused": results.count_refused(election),
        "totals_refused": results.totals_refusal(election),
        "counts": counts,
        "latest": counts[0] if counts else None,
        "totals": results.ballot_totals(election),
        "papers_pending": results.papers_pending(election),
        "form": form,
    }
    return render(request, "conference/elections/count_page.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What confirming this count will do, and the button that does it."""
    count = ElectionCount.objects.filter(pk=pk).first()
    if count is None:
        raise Http404("No such count.")
    election = elections.get_election_to_return(request.user, count.election_id)
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ElectionError):
            done = results.confirm_result(actor=request.user, election=election, count=count)
            messages.success(
                request,
                f"The result is declared. The terms of office on the {done.committee} are recorded, "
                "and the candidates and the electorate are being told.",
            )
            return redirect("conference:result_detail", election.pk)
    context = {
        "election": election,
        "count": count,
        "refused": results.confirm_refused(election, count),
        "elected": count.result["elected"],
        "form": form,
    }
    return render(request, "conference/elections/result_confirm.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def import_ballots(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add the ballots of a BLT file: papers counted elsewhere, or a recount on paper."""
    election = elections.get_election_to_return(request.user, pk)
    form = bound(ImportForm, request)
    if form.is_valid():
        with refusal_on(form, ElectionError):
            papers = results.import_blt(
                actor=request.user,
                election=election,
                text=form.cleaned_data["blt"],
                replace=form.cleaned_data["replace"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, f"Imported {papers} ballot paper{'s' if papers != 1 else ''}.")
            return redirect("conference:result_count", election.pk)
    context = {
        "election": election,
        "totals": results.ballot_totals(election),
        "reconciled": results.reconciled(election),
        "imports": results.import_record(election),
        "candidates": list(elections.candidates(election)),
        "form": form,
    }
    return render(request, "conference/elections/result_import.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def off_system(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The returning officer declares, before voting opens, whether the ballots are cast off this system."""
    election = elections.get_election_to_return(request.user, pk)
    form = bound(OffSystemForm, request, initial={"counted_off_system": election.counted_off_system})
    if form.is_valid():
        with refusal_on(form, ElectionError):
            results.declare_counted_off_system(
                actor=request.user, election=election, off_system=form.cleaned_data["counted_off_system"]
            )
            messages.success(request, "How the ballots are counted is saved.")
            return redirect("conference:election_detail", election.pk)
    context = {"election": election, "form": form, "refused": results.off_system_refusal(election)}
    return render(request, "conference/elections/off_system.html", context, status=refusal_status(form))


# The count sheet, the result and the ballots ---------------------------------------------------------------
@login_required
@require_GET
def sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election, count = _count_for_user(request, pk)
    is_returning_officer = has_rule(request.user, RETURN_ELECTION, election)
    context = {
        "election": election,
        "count": count,
        "sheet": results.count_sheet(count.result),
        "is_returning_officer": is_returning_officer,
        "confirmed": election.confirmed_count_id == count.pk,
        "confirm_refused": results.confirm_refused(election, count) if is_returning_officer else "",
    }
    return render(request, "conference/elections/count_sheet.html", context)


@login_required
@require_GET
def sheet_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election, count = _count_for_user(request, pk)
    rows = results.count_sheet_csv_rows(results.count_sheet(count.result))
    return csv_download(
        f"count-sheet-{election.pk}-{count.pk}", results.CSV_HEADER, rows, excel=excel_requested(request)
    )


@login_required
@require_GET
def result_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The declared result: the elected in order, the count sheet, the ballots (the RO sees it before)."""
    election = _result_for_user(request, pk)
    count = election.confirmed_count or results.latest_count(election)
    context = {
        "election": election,
        "count": count,
        "sheet": results.count_sheet(count.result) if count is not None else None,
        "declared": election.confirmed_at is not None,
        "ballots_ready": results.blt_refused(request.user, election) == "",
        "count_record": results.count_record(election),
        "imports": results.import_record(election),
        "reconciled": results.reconciled(election),
    }
    return render(request, "conference/elections/result_detail.html", context)


@login_required
@require_GET
def ballots_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The ballots as an anonymised BLT file, for anyone to count again."""
    election = elections.get_election_for_user(request.user, pk)
    refused = results.blt_refused(request.user, election)
    if refused:
        if election.confirmed_at is None:
            raise Http404(refused)
        raise PermissionDenied(refused)
    response = HttpResponse(results.export_blt(election), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="election-{election.pk}-ballots.blt"'
    response["Cache-Control"] = "no-store"
    return response
