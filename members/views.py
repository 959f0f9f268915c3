"""Pages of the members app.

Every view starts with one access helper from ``members.selectors`` (which
returns the object the user may see, or raises 404/403), binds a form,
calls one service and turns a ``MembershipError`` into a message on the
page. Nothing here decides a membership rule.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from awl.audit import entries_for, log_view
from awl.exports import csv_download, csv_safe, excel_requested
from awl.forms import SearchForm
from awl.http import AuthenticatedHttpRequest
from awl.paging import page_of, query_string_without_page
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from members import roles, selectors, services
from members.forms import (
    ApplicationForm,
    AuditFilterForm,
    BranchMemberFilterForm,
    ContactConsentsForm,
    ContactEditForm,
    ContactForm,
    DeclineForm,
    EraseForm,
    MyDetailsForm,
    PaymentForm,
    ResignForm,
    StatusChangeForm,
)
from members.models import Channel, Member, MemberStatus
from members.services import MembershipError
from members.standing import paid_up_to

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class StandingAnnotations(TypedDict):
    """What ``MemberQuerySet.with_standing`` adds to each member."""

    status_on: str | None
    paid_to_on: dt.date | None
    good_standing: bool


BRANCH_PAGE_SIZE = 50
CONTACT_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100
# Statuses with a membership to look at rather than an application to make.
_HAS_MEMBERSHIP = {MemberStatus.MEMBER, MemberStatus.LAPSED, MemberStatus.SUSPENDED}


@dataclass(frozen=True)
class ConsentRow:
    """One channel's latest consent: None when the person was never asked."""

    channel: str
    granted: bool | None


def _consent_rows(current: dict[str, bool]) -> list[ConsentRow]:
    return [ConsentRow(channel=channel.label, granted=current.get(channel.value)) for channel in Channel]


# A member's own pages ----------------------------------------------------------------------
def _own_member_or_none(user: Any) -> Member | None:
    try:
        return selectors.get_own_member(user)
    except Http404:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _own_member_or_none(request.user)
    if request.method == "GET" and member is not None and member.status in _HAS_MEMBERSHIP:
        messages.info(request, "You already have a membership; its details are below.")
        return redirect("members:my_membership")
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if form.is_valid():
            with refusal_on(form, MembershipError):
                application = services.apply_for_membership(actor=request.user, **form.application())
                to = "the national office" if application.left_suspended_as_id else "your branch organiser"
                messages.success(request, f"Thank you: your application has been sent to {to}.")
                return redirect("members:my_membership")
    else:
        form = ApplicationForm(initial=_application_initial(member))
    return render(request, "members/apply.html", {"form": form, "member": member})


def _application_initial(member: Member | None) -> dict[str, Any]:
    """A returning applicant's form starts from what they gave last time."""
    if member is None:
        return {}
    return {
        **MyDetailsForm.initial_for(member, services.current_consents(member)),
        "branch": member.branch_id,
        "dues_band": member.dues_band,
    }


@login_required
@require_GET
def my_membership(request: HttpRequest) -> HttpResponse:
    member = _own_member_or_none(request.user)
    if member is None:
        return redirect("members:apply")
    context = {
        "member": member,
        "standing": selectors.member_standing(member),
        "history": member.status_changes.select_related("actor").order_by("-effective_on", "-recorded_at"),
        "payments": member.payments.all(),
        "applications": member.applications.select_related("branch").order_by("-submitted_at"),
        "consents": _consent_rows(services.current_consents(member)),
        # A suspended member cannot resign themselves out of the suspension (the service refuses too).
        "can_resign": member.status in _HAS_MEMBERSHIP and member.status != MemberStatus.SUSPENDED,
        "can_reapply": member.status == MemberStatus.RESIGNED,
    }
    return render(request, "members/my_membership.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_my_details(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _own_member_or_none(request.user)
    if member is None:
        return redirect("members:apply")
    if request.method == "POST":
        form = MyDetailsForm(request.POST)
        if form.is_valid():
            with refusal_on(form, MembershipError):
                changed = services.update_own_details(
                    actor=request.user, member=member, details=form.details(), consents=form.consents()
                )
                messages.success(
                    request, "Your details are saved." if changed else "Nothing needed changing."
                )
                return redirect("members:my_membership")
    else:
        form = MyDetailsForm(initial=MyDetailsForm.initial_for(member, services.current_consents(member)))
    return render(request, "members/edit_my_details.html", {"form": form, "member": member})


@never_cache
@login_required
@require_GET
def export_my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = selectors.get_own_member(request.user)
    data = selectors.export_member_data(member)
    services.record_data_exported(actor=request.user, member=member)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="awl-my-data-{timezone.localdate():%Y-%m-%d}.json"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def resign(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _own_member_or_none(request.user)
    if member is None:
        return redirect("members:apply")
    form = bound(ResignForm, request)
    if form.is_valid():
        with refusal_on(form, MembershipError):
            services.change_status(
                actor=request.user,
                member=member,
                status=MemberStatus.RESIGNED,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "Your resignation is recorded. You are welcome back any time.")
            return redirect("members:my_membership")
    return render(
        request, "members/resign.html", {"form": form, "member": member}, status=refusal_status(form)
    )


# Branch lists ----------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberRow:
    member: WithAnnotations[Member, StandingAnnotations]
    paid_up_to: dt.date | None


def _member_rows(members: Iterable[WithAnnotations[Member, StandingAnnotations]]) -> list[MemberRow]:
    """Rows from members annotated by ``with_standing``: no query per row."""
    return [MemberRow(member=m, paid_up_to=paid_up_to(m.paid_to_on, m.dues_from)) for m in members]


def _filtered_branch_members(
    branch: Any, form: BranchMemberFilterForm
) -> QuerySet[WithAnnotations[Member, StandingAnnotations]]:
    members = selectors.branch_members(
        branch, query=form.value("q"), status=form.value("status"), standing=form.value("standing")
    )
    # branch_members annotates with_standing; the type checker cannot see annotations.
    return cast("QuerySet[WithAnnotations[Member, StandingAnnotations]]", members)


@login_required
@require_GET
def branch_members(request: HttpRequest, slug: str) -> HttpResponse:
    branch = selectors.get_branch_for_user(request.user, slug)
    form = BranchMemberFilterForm(request.GET)
    page = page_of(request, _filtered_branch_members(branch, form), BRANCH_PAGE_SIZE)
    # A list of members is personal data too: the first look each hour is logged, with what was shown.
    log_view(
        actor=request.user,
        action="branch.members_listed",
        target=branch,
        role=roles.describe(request.user),
        detail={"page": page.number, "filters": form.filters()},
    )
    context = {
        "branch": branch,
        "form": form,
        "filters": form.filters(),
        "page": page,
        "rows": _member_rows(page.object_list),
        "query_string": query_string_without_page(request),
        "can_export": has_rule(request.user, "members.export_branch", branch),
    }
    return render(request, "members/branch_members.html", context)


CSV_COLUMNS = (
    "name",
    "preferred name",
    "email",
    "phone",
    "status",
    "joined on",
    "paid up to",
    "good standing",
    "workplace",
    "trade union",
    "union role",
)


def _csv_row(row: MemberRow) -> list[str]:
    m = row.member
    cells: list[object] = [
        m.full_name,
        m.preferred_name,
        m.user.email,
        m.phone,
        m.get_status_display(),
        m.joined_on.isoformat() if m.joined_on else "",
        row.paid_up_to.isoformat() if row.paid_up_to else "",
        "yes" if m.good_standing else "no",
        m.workplace,
        m.trade_union,
        m.get_union_role_display() if m.union_role else "",
    ]
    return [csv_safe(cell) for cell in cells]


@never_cache
@login_required
@require_GET
def branch_members_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    branch = selectors.get_branch_for_user(request.user, slug, perm="members.export_branch")
    form = BranchMemberFilterForm(request.GET)
    rows = _member_rows(_filtered_branch_members(branch, form))
    excel = excel_requested(request)
    services.record_branch_exported(
        actor=request.user, branch=branch, rows=len(rows), filters=form.filters(), excel=excel
    )
    return csv_download(f"{branch.slug}-members", CSV_COLUMNS, [_csv_row(row) for row in rows], excel=excel)


# Applications -------------------------------------------------------------------------------
@login_required
@require_GET
def application_queue(request: HttpRequest) -> HttpResponse:
    selectors.require(request.user, "members.queue_applications")
    applications = selectors.application_queue(request.user)
    context = {"applications": applications, "national_office": roles.is_national_office(request.user)}
    return render(request, "members/application_queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.get_application_for_user(request.user, pk)
    decline_form = DeclineForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.approve_application(actor=request.user, application=application)
                messages.success(
                    request, f"Application #{application.pk} approved: welcome them to the branch."
                )
                return redirect("members:application_queue")
            if action == "decline":
                decline_form = DeclineForm(request.POST)
                if decline_form.is_valid():
                    services.decline_application(
                        actor=request.user,
                        application=application,
                        reason=decline_form.cleaned_data["reason"],
                    )
                    messages.success(
                        request, f"Application #{application.pk} declined; the applicant is told why."
                    )
                    return redirect("members:application_queue")
            else:
                messages.error(request, "Choose whether to approve or decline the application.")
        except MembershipError as exc:
            messages.error(request, str(exc))
        application = selectors.get_application_for_user(request.user, pk)
    else:
        services.record_member_viewed(actor=request.user, member=application.member)
    context = {
        "application": application,
        "member": application.member,
        "decline_form": decline_form,
        "pending": application.decision == "pending",
        "suspended_departures": selectors.suspended_departures_for_application(application),
    }
    return render(request, "members/application_detail.html", context)


# Officers' view of one member ------------------------------------------------------------
@login_required
@require_GET
def member_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = selectors.get_member_for_user(request.user, pk)
    services.record_member_viewed(actor=request.user, member=member)
    user = request.user
    national_office = roles.is_national_office(user)
    context = {
        "member": member,
        "standing": selectors.member_standing(member),
        "history": member.status_changes.select_related("actor").order_by("-effective_on", "-recorded_at"),
        "payments": member.payments.select_related("recorded_by"),
        "applications": member.applications.select_related("branch", "decided_by").order_by("-submitted_at"),
        "consents": _consent_rows(services.current_consents(member)),
        "audit_entries": entries_for(member)[:100] if national_office else None,
        "can_record_payment": has_rule(user, "members.record_payment", member),
        "can_change_status": has_rule(user, "members.change_member_status", member),
        "can_erase": has_rule(user, "members.erase_personal_data", member) and member.erased_at is None,
    }
    return render(request, "members/member_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_payment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = selectors.get_member_for_user(request.user, pk, perm="members.record_payment")
    form = bound(PaymentForm, request, initial={"paid_on": timezone.localdate()})
    if form.is_valid():
        with refusal_on(form, MembershipError):
            payment = services.record_payment(actor=request.user, member=member, **form.cleaned_data)
            messages.success(
                request,
                f"Payment of £{payment.amount} recorded: {payment.months} month(s), "
                f"paid up to {payment.covers_to:%d %B %Y}.",
            )
            return redirect("members:member_detail", pk=member.pk)
    return render(request, "members/record_payment.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = selectors.get_member_for_user(request.user, pk, perm="members.change_member_status")
    form = bound(StatusChangeForm, request)
    if form.is_valid():
        with refusal_on(form, MembershipError):
            services.change_status(actor=request.user, member=member, **form.cleaned_data)
            messages.success(request, "The membership status is changed.")
            return redirect("members:member_detail", pk=member.pk)
    return render(request, "members/change_status.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def erase_member(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = selectors.get_member_for_user(request.user, pk, perm="members.erase_personal_data")
    form = bound(EraseForm, request)
    if form.is_valid():
        with refusal_on(form, MembershipError):
            services.erase_member(actor=request.user, member=member, reason=form.cleaned_data["reason"])
            messages.success(request, "The member's personal data is erased.")
            return redirect("members:member_detail", pk=member.pk)
    return render(request, "members/erase.html", {"form": form, "person": member, "kind": "member"})


# Contacts --------------------------------------------------------------------------------------
@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    selectors.require(request.user, "members.list_contacts")
    form = SearchForm(request.GET)
    contacts = selectors.contacts_for_user(request.user, query=form.value("q"))
    context = {
        "form": form,
        "filters": form.filters(),
        "page": page_of(request, contacts, CONTACT_PAGE_SIZE),
        "query_string": query_string_without_page(request),
    }
    return render(request, "members/contact_list.html", context)


def _contact_form_options(user: Any) -> dict[str, Any]:
    return {
        "branches": selectors.branches_for_user(user),
        "branch_required": not roles.is_national_office(user),
    }


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require(request.user, "members.list_contacts")
    options = _contact_form_options(request.user)
    form = bound(ContactForm, request, **options)
    if form.is_valid():
        with refusal_on(form, MembershipError):
            contact = services.create_contact(
                actor=request.user, details=form.details(), consents=form.consents()
            )
            messages.success(request, "Contact added.")
            return redirect("members:contact_detail", pk=contact.pk)
    return render(request, "members/contact_add.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def contact_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = selectors.get_contact_for_user(request.user, pk)
    options = _contact_form_options(request.user)
    if request.method == "POST":
        form = ContactEditForm(request.POST, **options)
        if form.is_valid():
            with refusal_on(form, MembershipError):
                services.update_contact(actor=request.user, contact=contact, details=form.details())
                messages.success(request, "Contact saved.")
                return redirect("members:contact_detail", pk=contact.pk)
    else:
        form = ContactEditForm(initial=ContactEditForm.initial_for(contact), **options)
        log_view(
            actor=request.user, action="contact.viewed", target=contact, role=roles.describe(request.user)
        )
    current = services.current_consents(contact)
    context = {
        "contact": contact,
        "form": form,
        "consents": _consent_rows(current),
        "consent_form": ContactConsentsForm(initial=ContactConsentsForm.initial_consents(current))
        if contact.erased_at is None
        else None,
        "can_erase": has_rule(request.user, "members.erase_personal_data", contact)
        and contact.erased_at is None,
    }
    return render(request, "members/contact_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def erase_contact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = selectors.get_contact_for_user(request.user, pk)
    selectors.require(request.user, "members.erase_personal_data", contact)
    form = bound(EraseForm, request)
    if form.is_valid():
        with refusal_on(form, MembershipError):
            services.erase_contact(actor=request.user, contact=contact, reason=form.cleaned_data["reason"])
            messages.success(request, "The contact's personal data is erased.")
            return redirect("members:contact_list")
    return render(request, "members/erase.html", {"form": form, "person": contact, "kind": "contact"})


# National office ----------------------------------------------------------------------------------
@login_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    selectors.require(request.user, "members.read_audit")
    form = AuditFilterForm(request.GET)
    entries = selectors.audit_trail(**form.criteria())
    context = {
        "form": form,
        "filters": form.filters(),
        "actions": form.actions(),
        "page": page_of(request, entries, AUDIT_PAGE_SIZE),
        "query_string": query_string_without_page(request),
    }
    return render(request, "members/audit.html", context)
