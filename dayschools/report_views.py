"""Attendance reports, their chart and CSV files, and the branch organisers' follow-up list.

Reports (per event; per city, school and region across a series) are for
day-school organisers and national office (``dayschools.view_reports``): 403
for anyone else, before any object is looked up. They hold counts, not
people. The follow-up list names people, so each branch organiser sees only
the cities their branch covers (``dayschools.view_follow_ups``), and a
booking outside them is a 404. Every CSV download is written to the audit
trail, and every text cell in it is made safe from spreadsheet formulas.
Each page reads a fixed number of queries however many bookings there are
(dayschools.reports).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods

from awl.audit import log_view
from awl.exports import csv_download, excel_requested
from awl.http import AuthenticatedHttpRequest
from awl.paging import page_of, query_string_without_page
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from dayschools import charts, reports, services
from dayschools.forms import FollowUpCityForm, FollowUpForm
from dayschools.models import Booking, City, Event, EventStatus, School, Series
from dayschools.reports import Change, Compared
from dayschools.services import DaySchoolError
from members import roles

VIEW_REPORTS = "dayschools.view_reports"
FOLLOW_UPS_PAGE_SIZE = 50
# The chart is an image: it may use its own inline styles (pygal writes them) and nothing else.
CHART_CSP = {"default-src": ["'none'"], "style-src": ["'unsafe-inline'"], "frame-ancestors": ["'none'"]}


# Access ------------------------------------------------------------------------------------------
def _require_reports(request: HttpRequest) -> None:
    if not has_rule(request.user, VIEW_REPORTS):
        raise PermissionDenied("Only day-school organisers read the attendance reports.")


def _series_for(request: HttpRequest, slug: str) -> Series:
    _require_reports(request)
    return get_object_or_404(Series, slug=slug)


def _event_for(request: HttpRequest, pk: int) -> Event:
    _require_reports(request)
    return get_object_or_404(Event.objects.select_related("school__series", "city"), pk=pk)


def _follow_up_cities(request: HttpRequest) -> list[City]:
    cities = reports.follow_up_cities(request.user)
    if not cities and not has_rule(request.user, VIEW_REPORTS):  # organisers see an empty list
        raise PermissionDenied("Only the organisers of a branch with day schools see who to follow up.")
    return cities


def _follow_up_booking_for(request: HttpRequest, pk: int) -> tuple[Booking, list[City]]:
    """A person on one of the user's follow-up lists (a booking of theirs in a city the user covers);
    404 for any other booking, so that no one learns who came elsewhere."""
    cities = reports.follow_up_cities(request.user)
    booking = reports.follow_up_list(cities).filter(pk=pk).first() if cities else None
    if booking is None:
        raise Http404("No such person to follow up.")
    return booking, cities


# CSV ---------------------------------------------------------------------------------------------
def _number(value: int | None) -> int | str:
    return "" if value is None else value


def _change_cells(change: Change | None) -> list[int | str]:
    """The difference and the percentage, as numbers (a spreadsheet reads -20 as minus twenty)."""
    if change is None:
        return ["", ""]
    return [change.diff, _number(change.percent)]


def _exported(
    request: AuthenticatedHttpRequest, report: str, rows: list[list[Any]], target: Any = None, **detail: Any
) -> None:
    services.record_report_exported(
        actor=request.user, report=report, rows=len(rows), target=target, detail=detail
    )


# Index -------------------------------------------------------------------------------------------
@login_required
@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    """Every series with its reports, and each event's own report."""
    _require_reports(request)
    events = (
        Event.objects.exclude(status=EventStatus.DRAFT)
        .select_related("city", "school")
        .order_by("starts_at", "city__name")
    )
    series_list = list(
        reports.reportable_series().prefetch_related(
            Prefetch("schools", queryset=School.objects.order_by("number")),
            Prefetch("schools__events", queryset=events, to_attr="shown_events"),
        )
    )
    can_follow_up = bool(reports.follow_up_cities(request.user))
    return render(
        request, "dayschools/report_index.html", {"series_list": series_list, "can_follow_up": can_follow_up}
    )


# One event ---------------------------------------------------------------------------------------
@login_required
@require_GET
def event_report(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    figures = reports.event_figures(event)
    return render(request, "dayschools/report_event.html", {"event": event, "figures": figures})


def _event_csv_rows(figures: reports.EventFigures) -> tuple[list[str], list[list[Any]]]:
    event = figures.event
    header = ["series", "school", "city", "date", *(label.lower() for label, _ in figures.rows())]
    day = timezone.localtime(event.starts_at).date().isoformat()
    row: list[Any] = [str(event.school.series), str(event.school), event.city.name, day]
    return header, [[*row, *(_number(value) for _, value in figures.rows())]]


@never_cache
@login_required
@require_GET
def event_report_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    header, rows = _event_csv_rows(reports.event_figures(event))
    _exported(request, "event", rows, target=event)
    return csv_download(
        f"attendance-{event.city.slug}-school-{event.school.number}",
        header,
        rows,
        excel=excel_requested(request),
    )


# Across a series ---------------------------------------------------------------------------------
def _links(series: Series) -> dict[str, str]:
    return {
        "cities": reverse("dayschools:city_report", args=[series.slug]),
        "schools": reverse("dayschools:school_report", args=[series.slug]),
        "regions": reverse("dayschools:region_report", args=[series.slug]),
    }


def _series_report(
    request: HttpRequest, slug: str, template: str, **parts: Callable[[reports.Grid], Any]
) -> HttpResponse:
    """A report page across a series: its grid, the links between its reports, and each part of the
    page made from the grid (``rows=reports.school_report`` puts ``school_report(grid)`` in ``rows``)."""
    series = _series_for(request, slug)
    grid = reports.series_grid(series)
    context = {
        "series": series,
        "grid": grid,
        "links": _links(series),
        **{name: part(grid) for name, part in parts.items()},
    }
    return render(request, template, context)


@login_required
@require_GET
def city_report(request: HttpRequest, slug: str) -> HttpResponse:
    """Each city school by school, against its previous and its first school; the chart and its table."""
    return _series_report(
        request,
        slug,
        "dayschools/report_cities.html",
        rows=reports.city_report,
        chart_title=charts.chart_title,
        chart_description=charts.chart_description,
    )


def _compared_cells(row: Compared) -> list[Any]:
    return [_number(row.value), *_change_cells(row.vs_previous), *_change_cells(row.vs_first)]


CHANGE_HEADER = ["change on previous", "% on previous", "change on first", "% on first"]


@never_cache
@login_required
@require_GET
def city_report_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    series = _series_for(request, slug)
    header = ["city", "region", "school", "title", "date", "state", "attended", *CHANGE_HEADER]
    rows: list[list[Any]] = []
    for city_row in reports.city_report(reports.series_grid(series)):
        city = city_row.city
        for slot, compared in zip(city_row.slots, city_row.schools, strict=True):
            day = timezone.localtime(slot.event.starts_at).date().isoformat() if slot.event else ""
            rows.append(
                [
                    city.name,
                    city.get_region_display(),
                    slot.school.number,
                    slot.school.title,
                    day,
                    slot.state,
                    *_compared_cells(compared),
                ]
            )
    _exported(request, "cities", rows, target=series)
    return csv_download(f"attendance-by-city-{series.slug}", header, rows, excel=excel_requested(request))


@login_required
@require_GET
@csp_override(CHART_CSP)
def city_chart(request: HttpRequest, slug: str) -> HttpResponse:
    """The chart of attendance by city, as an SVG image (no script)."""
    series = _series_for(request, slug)
    svg = charts.city_attendance_svg(reports.series_grid(series))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def school_report(request: HttpRequest, slug: str) -> HttpResponse:
    """Each school across the cities, its total against the previous and the first school's."""
    return _series_report(request, slug, "dayschools/report_schools.html", rows=reports.school_report)


@never_cache
@login_required
@require_GET
def school_report_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    series = _series_for(request, slug)
    grid = reports.series_grid(series)
    header = ["school", "title", *(city.name for city in grid.cities), "total", *CHANGE_HEADER]
    rows = [
        [
            row.school.number,
            row.school.title,
            *(_number(slot.attended) for slot in row.slots),
            *_compared_cells(row.total),
        ]
        for row in reports.school_report(grid)
    ]
    _exported(request, "schools", rows, target=series)
    return csv_download(f"attendance-by-school-{series.slug}", header, rows, excel=excel_requested(request))


@login_required
@require_GET
def region_report(request: HttpRequest, slug: str) -> HttpResponse:
    """Each region's total school by school, against the first school held in that region."""
    return _series_report(request, slug, "dayschools/report_regions.html", blocks=reports.region_report)


@never_cache
@login_required
@require_GET
def region_report_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    series = _series_for(request, slug)
    header = ["region", "school", "title", "held in", "attended", *CHANGE_HEADER]
    rows = [
        [block.label, row.school.number, row.school.title, row.where, *_compared_cells(row)]
        for block in reports.region_report(reports.series_grid(series))
        for row in block.schools
    ]
    _exported(request, "regions", rows, target=series)
    return csv_download(f"attendance-by-region-{series.slug}", header, rows, excel=excel_requested(request))


# Follow-ups --------------------------------------------------------------------------------------
def _follow_up_rows(bookings: Iterable[Booking]) -> list[reports.FollowUpRow]:
    return reports.follow_ups_for(list(bookings))


@login_required
@require_GET
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Non-members who came to a day school in the organiser's cities and may be contacted."""
    cities = _follow_up_cities(request)
    form = FollowUpCityForm(request.GET or None, cities=cities)
    chosen = form.chosen()
    page = page_of(request, reports.follow_up_list(chosen), FOLLOW_UPS_PAGE_SIZE)
    # People met at events, with their contact details: each city's list looked at is logged (hourly).
    for city in chosen:
        log_view(
            actor=request.user,
            action="dayschools.follow_ups.viewed",
            target=city,
            role=roles.describe(request.user),
        )
    context = {
        "form": form,
        "cities": cities,
        "chosen": form.slug(),
        "page": page,
        "rows": _follow_up_rows(page.object_list),
        "query_string": query_string_without_page(request),
    }
    return render(request, "dayschools/follow_up_list.html", context)


@never_cache
@login_required
@require_GET
def follow_ups_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The whole follow-up list (of the chosen city, or all the organiser's cities) as a CSV file."""
    cities = _follow_up_cities(request)
    form = FollowUpCityForm(request.GET or None, cities=cities)
    chosen = form.chosen()
    header = [
        "name",
        "email",
        "phone",
        "city",
        "last came",
        "school",
        "times came",
        "followed up",
        "last followed up by",
        "last followed up at",
        "note",
    ]
    rows: list[list[Any]] = []
    for row in _follow_up_rows(reports.follow_up_list(chosen)):
        b, last = row.booking, row.last
        rows.append(
            [
                b.name,
                b.email,
                b.phone,
                b.event.city.name,
                timezone.localtime(b.event.starts_at).date().isoformat(),
                str(b.event.school),
                b.times,  # type: ignore[attr-defined]
                "yes" if last else "no",
                _who(last.by) if last else "",
                timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M") if last else "",
                last.note if last else "",
            ]
        )
    _exported(request, "follow_ups", rows, cities=[city.slug for city in chosen])
    return csv_download("day-school-follow-ups", header, rows, excel=excel_requested(request))


def _who(user: Any) -> str:
    if user is None:
        return "someone no longer on the system"
    return str(user.get_full_name() or user.email)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record that the organiser followed someone up (who and when are taken from the request)."""
    booking, _cities = _follow_up_booking_for(request, pk)
    form = bound(FollowUpForm, request)
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            services.record_follow_up(actor=request.user, booking=booking, note=form.cleaned_data["note"])
            messages.success(request, f"Recorded: you followed up {booking.name}.")
            return redirect(reverse("dayschools:follow_ups") + f"#person-{booking.pk}")
    if request.method == "GET":
        log_view(
            actor=request.user,
            action="dayschools.follow_up.viewed",
            target=booking,
            role=roles.describe(request.user),
        )
    [row] = _follow_up_rows([booking])
    context = {"booking": booking, "row": row, "form": form}
    return render(request, "dayschools/follow_up_record.html", context, status=refusal_status(form))
