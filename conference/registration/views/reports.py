"""The CAC's pages: registrations by branch and by fee band, fees outstanding, the needs lists,
accommodation matching, CSV exports, and who on the CAC handles what.

The overview and its reports need ``conference.run`` (the CAC and the
national office). Each needs list needs its own perm (``view_access_needs``,
``view_dietary_needs``, ``view_creche``, ``view_accommodation``): only the
CAC members given that duty for the conference, and the national office. A
CAC member without it gets the plain 403 page, which says nothing of the
data. Every view and every CSV download of a needs list is written to the
audit trail with the role it was read in (``services.record_needs_read``,
once an hour per officer and list), and so is every other CSV download.
Needs are shown only for people who consented to share them; the rest are
listed as "did not consent" without the text (``reports``).

Duties are assigned on a page every CAC member can read; only the national
office may change them (``conference.assign_duties``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from awl.exports import csv_download, excel_requested
from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on
from conference.models import CacDuty, Conference
from conference.registration import reports, selectors, services
from conference.registration.forms import DutyForm, MatchForm
from conference.registration.services import NEEDS_PERMS, ConferenceError
from conference.rules import ASSIGN_DUTIES, RUN

NEEDS_TITLES = {
    "access": "Access needs",
    "diet": "Dietary needs",
    "creche": "Crèche",
    "accommodation": "Accommodation",
}


# Helpers ----------------------------------------------------------------------------------------
def _cac_url(conference: Conference, name: str = "cac") -> str:
    return reverse(f"conference:{name}", args=[conference.slug])


def _needs_links(user: Any, conference: Conference) -> list[tuple[str, str]]:
    """The needs lists this person may read, as (title, url)."""
    return [
        (NEEDS_TITLES[kind], _cac_url(conference, f"cac_{kind}"))
        for kind, perm in NEEDS_PERMS.items()
        if has_rule(user, perm, conference)
    ]


def _read_needs(
    request: AuthenticatedHttpRequest, conference: Conference, kind: str, rows: int, exported: bool
) -> None:
    services.record_needs_read(
        actor=request.user, conference=conference, kind=kind, rows=rows, exported=exported
    )


# The overview and its exports ---------------------------------------------------------------------
@login_required
@require_GET
def cac(request: HttpRequest, slug: str) -> HttpResponse:
    """Registrations by branch and by fee band, fee totals, who still owes, and the lists this person
    handles."""
    conference = selectors.get_conference_with_perm(request.user, slug, RUN)
    context = {
        "conference": conference,
        "branches": reports.by_branch(conference),
        "bands": reports.by_band(conference),
        "fees": reports.fees(conference),
        "counts": services.counts(conference),
        "needs_links": _needs_links(request.user, conference),
    }
    return render(request, "conference/cac_overview.html", context)


@login_required
@require_GET
def cac_branches_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_with_perm(request.user, slug, RUN)
    rows: list[list[Any]] = [
        [r.name, r.registered, r.entitled, r.present] for r in reports.by_branch(conference)
    ]
    services.record_report_exported(
        actor=request.user, conference=conference, report="branches", rows=len(rows)
    )
    return csv_download(
        f"registrations-by-branch-{conference.slug}",
        ["Branch", "Registered", "Entitled", "Present"],
        rows,
        excel=excel_requested(request),
    )


@login_required
@require_GET
def cac_bands_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_with_perm(request.user, slug, RUN)
    rows: list[list[Any]] = [
        [b.label, b.registered, f"{b.due:.2f}", f"{b.paid:.2f}", f"{b.balance:.2f}"]
        for b in reports.by_band(conference)
    ]
    services.record_report_exported(actor=request.user, conference=conference, report="bands", rows=len(rows))
    return csv_download(
        f"registrations-by-band-{conference.slug}",
        ["Fee band", "Registered", "Fees due", "Paid", "Outstanding"],
        rows,
        excel=excel_requested(request),
    )


@login_required
@require_GET
def cac_owing_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_with_perm(request.user, slug, RUN)
    fees = reports.fees(conference)
    rows: list[list[Any]] = [
        [
            r.name,
            r.member.branch.name if r.member and r.member.branch else reports.NO_BRANCH,
            r.get_fee_band_display(),
            f"{r.fee_due:.2f}",
            f"{r.paid:.2f}",  # type: ignore[attr-defined]
            f"{r.outstanding:.2f}",  # type: ignore[attr-defined]
        ]
        for r in fees.owing
    ]
    services.record_report_exported(
        actor=request.user, conference=conference, report="outstanding", rows=len(rows)
    )
    return csv_download(
        f"fees-outstanding-{conference.slug}",
        ["Name", "Branch", "Fee band", "Fee due", "Paid", "Outstanding"],
        rows,
        excel=excel_requested(request),
    )


# The needs lists ----------------------------------------------------------------------------------
NOT_CONSENTED = "Did not consent to share their needs"


@login_required
@require_GET
def cac_needs(request: AuthenticatedHttpRequest, slug: str, kind: str) -> HttpResponse:
    """People with access needs, dietary needs or children for the crèche; read only with the duty."""
    conference = selectors.get_conference_with_perm(request.user, slug, NEEDS_PERMS[kind])
    rows = reports.needs_list(conference, kind)
    _read_needs(request, conference, kind, len(rows), exported=False)
    context = {
        "conference": conference,
        "kind": kind,
        "title": NEEDS_TITLES[kind],
        "rows": rows,
        "csv_url": _cac_url(conference, f"cac_{kind}_csv"),
        "not_consented": NOT_CONSENTED,
    }
    return render(request, "conference/cac_needs.html", context)


@login_required
@require_GET
def cac_needs_csv(request: AuthenticatedHttpRequest, slug: str, kind: str) -> HttpResponse:
    conference = selectors.get_conference_with_perm(request.user, slug, NEEDS_PERMS[kind])
    needs = reports.needs_list(conference, kind)
    rows: list[list[Any]]
    if kind == "creche":
        header = ["Name", "Branch", "E-mail", "Children", "Ages"]
        rows = [
            [r.name, r.branch, r.email, r.children, r.ages]
            if r.consented
            else [r.name, r.branch, "", "", NOT_CONSENTED]
            for r in needs
        ]
    else:
        header = ["Name", "Branch", "E-mail", NEEDS_TITLES[kind]]
        rows = [[r.name, r.branch, r.email, r.text if r.consented else NOT_CONSENTED] for r in needs]
    _read_needs(request, conference, kind, len(rows), exported=True)
    return csv_download(f"{kind}-needs-{conference.slug}", header, rows, excel=excel_requested(request))


# Accommodation ------------------------------------------------------------------------------------
def _match_form(request: HttpRequest, found: reports.Accommodation) -> MatchForm:
    guests = [(g.pk, f"{g.name} ({g.branch})") for g in found.matchable_guests]
    hosts = [(h.pk, f"{h.name} ({h.branch}), {h.free} free") for h in found.hosts_with_room]
    return bound(MatchForm, request, guests=guests, hosts=hosts)


@login_required
@require_http_methods(["GET", "POST"])
def cac_accommodation(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Who needs a bed and who offers beds; match a guest to a host."""
    perm = NEEDS_PERMS["accommodation"]
    conference = selectors.get_conference_with_perm(request.user, slug, perm)
    found = reports.accommodation(conference)
    form = _match_form(request, found)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            guest = reports.registration_in(conference, form.cleaned_data["guest"])
            host = reports.registration_in(conference, form.cleaned_data["host"])
            with refusal_on(form, ConferenceError):
                services.match_accommodation(actor=request.user, guest=guest, host=host)
                messages.success(request, f"{guest.name} will stay with {host.name}.")
                return redirect(_cac_url(conference, "cac_accommodation"))
            status = 409
        else:
            status = 400
    _read_needs(request, conference, "accommodation", len(found.guests) + len(found.hosts), exported=False)
    context = {
        "conference": conference,
        "found": found,
        "form": form,
        "not_consented": NOT_CONSENTED,
        "csv_url": _cac_url(conference, "cac_accommodation_csv"),
    }
    return render(request, "conference/cac_accommodation.html", context, status=status)


@login_required
@require_GET
def cac_accommodation_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_with_perm(request.user, slug, NEEDS_PERMS["accommodation"])
    found = reports.accommodation(conference)
    rows: list[list[Any]] = [
        ["Needs a bed", g.name, g.branch, g.email, "", g.host_name if g.consented else NOT_CONSENTED]
        for g in found.guests
    ]
    rows += [
        ["Offers beds", h.name, h.branch, h.email, h.offers, h.taken]
        if h.consented
        else ["Offers beds", h.name, h.branch, "", "", NOT_CONSENTED]
        for h in found.hosts
    ]
    _read_needs(request, conference, "accommodation", len(rows), exported=True)
    return csv_download(
        f"accommodation-{conference.slug}",
        ["List", "Name", "Branch", "E-mail", "Beds offered", "Staying with / beds taken"],
        rows,
        excel=excel_requested(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cac_unmatch(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Take back a guest's bed, so they can be matched to someone else."""
    conference = selectors.get_conference_with_perm(request.user, slug, NEEDS_PERMS["accommodation"])
    guest = reports.registration_in(conference, pk)
    if guest.hosted_by_id is None:
        raise Http404("This person has no bed to take back.")
    form = bound(ConfirmForm, request)
    if form.is_valid():
        services.unmatch_accommodation(actor=request.user, guest=guest)
        messages.success(request, f"{guest.name} no longer has a bed; match them again when you can.")
        return redirect(_cac_url(conference, "cac_accommodation"))
    _read_needs(request, conference, "accommodation", 1, exported=False)
    host = guest.hosted_by if guest.consent_share_needs else None
    context = {"conference": conference, "guest": guest, "host": host, "form": form}
    return render(request, "conference/cac_unmatch.html", context)


# CAC duties ---------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def cac_duties(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Who on the CAC handles access, diet, the crèche, accommodation and the desk; the national office
    assigns them."""
    conference = selectors.get_conference_with_perm(request.user, slug, RUN)
    may_assign = has_rule(request.user, ASSIGN_DUTIES, conference)
    if request.method == "POST" and not may_assign:
        raise PermissionDenied("Only the national office assigns the CAC's duties.")
    members = reports.cac_members()
    choices = [(u.pk, f"{u.get_full_name() or u.email}") for u in members]
    form = bound(DutyForm, request, members=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user = next(u for u in members if u.pk == form.cleaned_data["user"])
            with refusal_on(form, ConferenceError):
                duty = services.assign_duty(
                    actor=request.user, conference=conference, user=user, duty=form.cleaned_data["duty"]
                )
                messages.success(request, f"{choices[members.index(user)][1]}: {duty.get_duty_display()}.")
                return redirect(_cac_url(conference, "cac_duties"))
            status = 409
        else:
            status = 400
    context = {
        "conference": conference,
        "duties": reports.duties(conference),
        "form": form if may_assign else None,
        "has_members": bool(members),
    }
    return render(request, "conference/cac_duties.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cac_duty_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = selectors.get_conference_with_perm(request.user, slug, ASSIGN_DUTIES)
    duty = CacDuty.objects.filter(conference=conference, pk=pk).select_related("user").first()
    if duty is None:
        raise Http404("No such duty.")
    form = bound(ConfirmForm, request)
    if form.is_valid():
        services.remove_duty(actor=request.user, duty=duty)
        messages.success(request, f"{duty.user.email} no longer handles {duty.get_duty_display().lower()}.")
        return redirect(_cac_url(conference, "cac_duties"))
    return render(
        request, "conference/cac_duty_remove.html", {"conference": conference, "duty": duty, "form": form}
    )
