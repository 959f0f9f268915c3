"""Elections' pages: the list, an election's page, and setting one up or changing it.

Everyone signed in has the list, which shows only the elections they may
see; an election's page is a 404 to anyone else (``elections.can_view``: a
committee's election is its electorate's business). The national office
and the CAC set elections up; until nominations open they change anything,
after that the returning officer or the national office may only extend a
closing time (403 to others who may see the election). The rules are in
``conference.nominations``; a refusal comes back on the form (status 409)
with nothing written.

The election page shows the phase, the windows in London time, the
candidates with their statements (plain text: escaped, line breaks kept),
and to its returning officer and to officers every nomination. Ballots
(``views.ballots``) and the result (``views.results``) add their links
through ``_ballot_links.html`` and ``_result_links.html``, from what this
view reads for the viewer (``conference.elections.selectors``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from awl.http import AuthenticatedHttpRequest
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from committees.models import Committee
from conference.elections.forms.elections import ElectionForm, ReturningOfficerForm, initial_for_new
from conference.elections.selectors import ballot_links, result_links
from conference.elections.services import elections, nominations
from conference.elections.services.elections import ElectionError, Phase
from conference.models import Conference
from conference.registration import selectors
from conference.rules import APPOINT_RETURNING_OFFICER, RETURN_ELECTION, SET_UP_ELECTION


def _choices(held_at: Conference | None = None) -> tuple[list[Committee], list[Conference]]:
    """Every committee; the conferences not yet over (and the one an election is already held at)."""
    committees = list(Committee.objects.select_related("elected_by").order_by("name"))
    conferences = list(Conference.objects.filter(ends_on__gte=timezone.localdate()).order_by("starts_on"))
    if held_at is not None and held_at not in conferences:
        conferences.insert(0, held_at)
    return committees, conferences


@login_required
@require_GET
def election_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = list(nominations.election_list(request.user))
    context = {
        "rows": [(election, elections.phase(election)) for election in rows],
        "can_set_up": has_rule(request.user, SET_UP_ELECTION, None),
    }
    return render(request, "conference/elections/election_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def election_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_rule(request.user, SET_UP_ELECTION, None):
        raise PermissionDenied("Only the national office or the CAC sets up an election.")
    committees, conferences = _choices()
    initial = initial_for_new(request.user, committees, selectors.coming_conference())
    form = bound(ElectionForm, request, committees=committees, conferences=conferences, initial=initial)
    if form.is_valid():
        with refusal_on(form, ElectionError):
            election = nominations.create_election(actor=request.user, fields=form.details())
            messages.success(request, f"{election.title} is set up.")
            return redirect("conference:election_detail", election.pk)
    context = {"form": form, "election": None}
    return render(request, "conference/elections/election_form.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def election_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election = nominations.get_election_to_edit(request.user, pk)
    extending = nominations.only_extending(election)
    committees, conferences = _choices(election.conference)
    form = bound(
        ElectionForm,
        request,
        committees=committees,
        conferences=conferences,
        extending=extending,
        editing=True,
        initial=ElectionForm.initial_for(election),
    )
    closed = nominations.edit_window_refusal(election)
    if form.is_valid():
        with refusal_on(form, ElectionError):
            nominations.update_election(actor=request.user, election=election, fields=form.details())
            messages.success(request, f"{election.title} is saved.")
            return redirect("conference:election_detail", election.pk)
    context = {"form": form, "election": election, "extending": extending, "closed": closed}
    return render(request, "conference/elections/election_form.html", context, status=refusal_status(form))


@login_required
@require_GET
def election_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    election = elections.get_election_for_user(request.user, pk)
    user = request.user
    member = selectors.own_member(user)
    current = elections.phase(election)
    officer = has_rule(user, SET_UP_ELECTION, None) or elections.is_returning_officer(user, election)
    in_electorate = elections.in_electorate(election, member)
    mine = nominations.own_nominations(member, election)
    context = {
        "election": election,
        "phase": current,
        "Phase": {p.name: p.value for p in Phase},
        "candidates": list(elections.candidates(election)),
        "ballot_order": nominations.ballot_order_text(election),
        "nominations": list(nominations.nominations_of(election)) if officer else None,
        "own_nominations": mine,
        "live_own": [n for n in mine if not nominations.change_refusal(n)],
        "in_electorate": in_electorate,
        "may_nominate": in_electorate and current == Phase.NOMINATIONS,
        "may_edit": not nominations.editor_refusal(user, election)
        and not nominations.edit_window_refusal(election),
        "officer": officer,
        "returning_officer": nominations.returning_officer_name(election),
        "appointments": elections.appointments(election),
        "may_appoint": has_rule(user, APPOINT_RETURNING_OFFICER, election) and election.confirmed_at is None,
        "may_declare_off_system": has_rule(user, RETURN_ELECTION, election)
        and current in (Phase.BEFORE, Phase.NOMINATIONS, Phase.BETWEEN),
        "electorate_note": "" if in_electorate else nominations.electorate_refusal(election),
        "ballot": ballot_links(user, election),
        "result": result_links(user, election),
    }
    return render(request, "conference/elections/election_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def returning_officer_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Appoint or replace the returning officer: the CAC (at a conference) or the electing committee's
    secretary (a committee's election); 403 to others who may see the election."""
    election = elections.get_election_for_user(request.user, pk)
    refusal = elections.appointer_refusal(request.user, election)
    if refusal:
        raise PermissionDenied(refusal)
    form = bound(ReturningOfficerForm, request)
    if form.is_valid():
        with refusal_on(form, ElectionError):
            elections.appoint_returning_officer(
                actor=request.user,
                election=election,
                user=form.cleaned_data["email"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "The returning officer is appointed.")
            return redirect("conference:election_detail", election.pk)
    context = {
        "election": election,
        "form": form,
        "current": nominations.returning_officer_name(election),
        "appointments": elections.appointments(election),
    }
    return render(
        request, "conference/elections/returning_officer_form.html", context, status=refusal_status(form)
    )
