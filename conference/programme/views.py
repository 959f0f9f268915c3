"""The timetable and the conference papers: members read them, the CAC keeps them.

Members (and anyone with a current registration) read the timetable, grouped
by day in London time, and the documents they may see: each from its
publication time, and only if it is for every member or they are registered
(``conference.programme`` decides). Any other document, and any document's
file, is a 404, so its existence is not shown. The conference arrangements
committee (``conference.run``) adds, changes and removes sessions and
documents; others get a 403 on those pages. A refused change comes back on
its form (status 409) with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.views_helpers import bound, refusal_on, refusal_status
from committees import papers
from conference.models import Conference, Document, Session
from conference.programme import services as programme
from conference.programme.forms import DocumentForm, SessionForm
from conference.registration import selectors
from conference.registration.services import ConferenceError


# Members: the timetable and the papers ----------------------------------------------------------
@login_required
@require_GET
def timetable(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference(slug)
    reader = programme.admitted_reader(request.user, conference)
    context = {"conference": conference, "days": programme.timetable(conference), "reader": reader}
    return render(request, "conference/programme_timetable.html", context)


@login_required
@require_GET
def documents(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The documents the reader may see now, newest first."""
    conference = selectors.get_conference(slug)
    reader = programme.admitted_reader(request.user, conference)
    now = timezone.now()
    shown = programme.visible_documents(conference, reader, now).order_by("-publish_on", "title", "pk")
    context = {
        "conference": conference,
        "documents": [(document, programme.is_published(document, now)) for document in shown],
        "reader": reader,
    }
    return render(request, "conference/documents_index.html", context)


@never_cache
@login_required
@require_GET
def document_download(request: AuthenticatedHttpRequest, slug: str, pk: int) -> FileResponse:
    """A document's file, always as a download with the type we stored."""
    conference = selectors.get_conference(slug)
    document = programme.get_document_for_user(request.user, conference, pk)
    if not document.file:
        raise Http404("This document has no file.")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this document is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=papers.download_name(document.file.name or ""),
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# The CAC: keeping the timetable and the papers ----------------------------------------------------
def _manage_url(conference: Conference, anchor: str = "") -> str:
    url = reverse("conference:programme_manage", args=[conference.slug])
    return f"{url}#{anchor}" if anchor else url


def _form_page(
    request: HttpRequest,
    *,
    conference: Conference,
    form: Any,
    heading: str,
    submit: str,
    back: str,
    intro: str = "",
    danger: bool = False,
) -> HttpResponse:
    """One of the CAC's forms about the timetable or the papers; 409 when the service refused it."""
    context = {
        "conference": conference,
        "form": form,
        "heading": heading,
        "intro": intro,
        "submit": submit,
        "back": back,
        "danger": danger,
    }
    status = refusal_status(form)
    return render(request, "conference/programme_form.html", context, status=status)


@login_required
@require_GET
def programme_manage(request: HttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_to_run(request.user, slug)
    now = timezone.now()
    context = {
        "conference": conference,
        "days": programme.timetable(conference),
        "documents": [
            (document, programme.is_published(document, now))
            for document in programme.all_documents(conference)
        ],
    }
    return render(request, "conference/programme_manage.html", context)


def _session_initial(conference: Conference) -> dict[str, Any]:
    return {"day": conference.starts_on.isoformat(), "starts": "10:00", "ends": "11:00"}


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_to_run(request.user, slug)
    days = programme.conference_days(conference)
    form = bound(SessionForm, request, days=days, initial=_session_initial(conference))
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            session = programme.add_session(actor=request.user, conference=conference, **form.session())
            messages.success(request, f"Added to the timetable: {session.title}.")
            return redirect(_manage_url(conference, f"session-{session.pk}"))
    return _form_page(
        request,
        conference=conference,
        form=form,
        heading="Add a session",
        intro="A plenary, a workshop or a meeting, on one of the conference's days; times in London time.",
        submit="Add the session",
        back=_manage_url(conference, "timetable"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = selectors.get_conference_to_run(request.user, slug)
    session = programme.session_of(conference, pk)
    days = programme.conference_days(conference)
    form = bound(SessionForm, request, days=days, initial=SessionForm.initial_for(session))
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            programme.change_session(actor=request.user, session=session, **form.session())
            messages.success(request, "Session saved.")
            return redirect(_manage_url(conference, f"session-{session.pk}"))
    return _form_page(
        request,
        conference=conference,
        form=form,
        heading=f"Edit the session: {session.title}",
        submit="Save the session",
        back=_manage_url(conference, f"session-{session.pk}"),
    )


@dataclass(frozen=True)
class _Removal:
    """What the page that removes a session or a document says; ``{title}`` stands for its title."""

    thing: str  # "session" or "document": in the heading, the button and the item's anchor
    section: str  # the anchor of the list on the CAC's page that the removal goes back to
    intro: str
    done: str


_SESSION_REMOVAL = _Removal(
    "session",
    "timetable",
    intro="“{title}” will no longer be on the timetable.",
    done="Removed from the timetable: {title}.",
)
_DOCUMENT_REMOVAL = _Removal(
    "document",
    "documents",
    intro="“{title}” and its file will no longer be available to members.",
    done="Document removed: {title}.",
)


def _removal_page(
    request: HttpRequest,
    conference: Conference,
    item: Session | Document,
    removal: _Removal,
    remove: Callable[[], object],
) -> HttpResponse:
    """Confirm, then remove a session or a document; a refusal comes back on the confirmation (409)."""
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            remove()
            messages.success(request, removal.done.format(title=item.title))
            return redirect(_manage_url(conference, removal.section))
    return _form_page(
        request,
        conference=conference,
        form=form,
        heading=f"Remove the {removal.thing}",
        intro=removal.intro.format(title=item.title),
        submit=f"Remove the {removal.thing}",
        back=_manage_url(conference, f"{removal.thing}-{item.pk}"),
        danger=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_delete(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = selectors.get_conference_to_run(request.user, slug)
    session = programme.session_of(conference, pk)
    remove = partial(programme.delete_session, actor=request.user, session=session)
    return _removal_page(request, conference, session, _SESSION_REMOVAL, remove)


def _document_intro() -> str:
    return (
        f"A file ({papers.ACCEPTED}; at most {filesizeformat(papers.max_bytes())}), a summary, or both. "
        "Its readers are e-mailed when it is published."
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_to_run(request.user, slug)
    initial = {"publish_on": timezone.localtime().replace(second=0, microsecond=0)}
    form = bound(DocumentForm, request, initial=initial)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            document = programme.add_document(actor=request.user, conference=conference, **form.document())
            messages.success(request, f"Document added: {document.title}.")
            return redirect(_manage_url(conference, f"document-{document.pk}"))
    return _form_page(
        request,
        conference=conference,
        form=form,
        heading="Add a document",
        intro=_document_intro(),
        submit="Add the document",
        back=_manage_url(conference, "documents"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = selectors.get_conference_to_run(request.user, slug)
    document = programme.document_of(conference, pk)
    form = bound(DocumentForm, request, initial=DocumentForm.initial_for(document))
    if form.is_valid():
        version = document.version
        with refusal_on(form, ConferenceError):
            changed = programme.change_document(actor=request.user, document=document, **form.document())
            if changed.version != version:
                messages.success(request, "Document saved with its new file; its readers will be told.")
            else:
                messages.success(request, "Document saved.")
            return redirect(_manage_url(conference, f"document-{document.pk}"))
    intro = _document_intro()
    if document.file:
        intro += (
            f" It has a file ({papers.download_name(document.file.name or '')}): leave the file empty to "
            "keep it; a new file replaces it, and if the document is already published its readers are "
            "told of the new version."
        )
    return _form_page(
        request,
        conference=conference,
        form=form,
        heading=f"Edit the document: {document.title}",
        intro=intro,
        submit="Save the document",
        back=_manage_url(conference, f"document-{document.pk}"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = selectors.get_conference_to_run(request.user, slug)
    document = programme.document_of(conference, pk)
    remove = partial(programme.delete_document, actor=request.user, document=document)
    return _removal_page(request, conference, document, _DOCUMENT_REMOVAL, remove)
