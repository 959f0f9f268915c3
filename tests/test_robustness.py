"""Every form in the project, fed hostile input: never a 500, never a partial write.

The forms are found, not listed: every project URL is fetched as several
people and each ``<form method="post">`` on a page that answers 200 is read
with ``html.parser``. A page with a POST form that is not in ``FORMS`` fails
the suite, so a new form cannot escape this test.

For each form the test builds a *baseline*: the values the page offers
(hidden inputs, selected options) with empty inputs filled with something
plausible for their type, and every checkbox ticked. The baseline is
accepted (a 302), which proves that in the fuzzing passes the hostile value
is the only thing wrong with the post. Then:

* a deterministic pass replaces one field at a time with each value in
  ``NASTIES`` (a checkbox, read only as ticked or not, gets a shorter list),
  drops it, or sends bytes that are not UTF-8; each post is rolled back, so
  every one meets the same starting state;
* Hypothesis mixes nasties, arbitrary text, baseline values and missing
  fields across all the fields at once.

Every response must be below 500. A 200 (the form again) or a 4xx must leave
the tables of every app exactly as they were (no partial write; the audit
log is left out, since reading a record is itself audited) and must not echo
the script payload unescaped. A 302 means the input was accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awl.consent import make_token
from awl.models import AuditEntry, OutboundMessage
from committees.notices import apology_token
from members import services, views
from members.models import ImportBatch, Member
from members.services import MembershipError
from tests.committees.meeting_objects import meeting_objects
from tests.committees.record_objects import record_objects
from tests.conference.ballot_objects import TELLER_EMAIL, ballot_objects, teller_account
from tests.conference.business_objects import business_objects
from tests.conference.desk_objects import desk_objects
from tests.conference.election_objects import NOMINEE_EMAIL, election_objects, nc_secretary, returning_officer
from tests.conference.election_objects import SECONDER_EMAIL as ELECTION_SECONDER
from tests.conference.motion_objects import SECONDER_EMAIL, motion_objects
from tests.conference.outcome_objects import outcome_objects
from tests.conference.programme_objects import programme_objects
from tests.conference.register_objects import register_objects
from tests.conference.result_objects import BLT_FOR_COUNTED, result_objects
from tests.dayschools.booking_objects import booking_objects
from tests.dayschools.organiser_objects import organiser_objects
from tests.dayschools.report_objects import report_objects
from tests.test_permission_matrix import MATRIX, project_url_names

# A value for URL inputs, which the baseline does not fill in by their type.
ONLINE_LINK = "https://meet.example.org/nc"
# url name → (who may use the form, the kind of object its URL takes, baseline values
# where the page's own and the everyday ones would be refused by a rule).
FORMS: dict[str, tuple[str, str | None, dict[str, str]]] = {
    "members:apply": ("outsider", None, {}),
    "members:edit_my_details": ("member", None, {}),
    "members:resign": ("member", None, {}),
    "members:application_detail": ("london_organiser", "application", {}),
    "members:record_payment": ("national_office", "member", {"amount": "10.00"}),  # one month's dues
    "members:change_status": ("national_office", "member", {"status": "suspended"}),  # not "member" again
    "members:erase_member": ("national_office", "member", {}),
    "members:contact_add": ("london_organiser", None, {}),
    "members:contact_detail": ("london_organiser", "contact", {}),
    "members:contact_consents": ("london_organiser", "contact", {}),
    "members:erase_contact": ("national_office", "contact", {}),
    # One-click unsubscribe: signed link, no login. Its token is for an address nobody has, since a POST
    # without the page's marker is a mail client's one-click, answered 200 as RFC 8058 requires.
    "unsubscribe": ("outsider", "unsubscribe_token", {}),
    "members:import_upload": ("national_office", None, {}),
    "members:import_preview": ("national_office", "import_batch", {}),
    "committees:apology_link": ("outsider", "apology_token", {}),  # signed link, no login needed
    # On the day and after (record_views); objects from tests/committees/record_objects.py.
    "dashboard": ("member", None, {}),  # the "my action points" panel's done button
    "committees:meeting_detail": ("member", "meeting", {}),  # the member's apologies form
    "committees:send_apologies": ("member", "meeting", {}),
    "committees:attendance": ("national_office", "held_meeting", {}),
    "committees:minutes": ("national_office", "held_meeting", {}),  # done buttons
    "committees:minutes_draft": ("national_office", "held_meeting", {}),
    "committees:minutes_circulate": ("national_office", "held_meeting", {}),
    "committees:minutes_approve": ("national_office", "held_meeting", {}),
    "committees:minutes_publish": ("national_office", "approved_meeting", {}),
    "committees:decision_add": ("national_office", "held_meeting", {}),
    "committees:action_point_add": ("national_office", "held_meeting", {}),
    "committees:action_point_done": ("member", "action_point", {}),
    "committees:my_action_points": ("member", None, {}),
    "committees:my_calendar": ("member", None, {}),
    "committees:committee_calendar": ("member", "committee", {}),  # the member's own feed address
    "committees:failed_messages": ("national_office", "committee", {}),  # the objects' failed NC notice
    # The secretary's scheduling, agenda and papers (meeting_views); objects from
    # tests/committees/meeting_objects.py. The date and time inputs come filled in by the pages; the
    # call form's emergency box is ticked, with its reason.
    "committees:manage_meetings": ("national_office", "cycle_committee", {}),
    "committees:call_meeting": ("national_office", "committee", {"online_link": ONLINE_LINK}),
    # Fixed hours: the page's own are the meeting's, which is made at the time the suite runs, so an
    # evening run's would end after midnight and be refused.
    "committees:meeting_move": (
        "national_office",
        "meeting",
        {"online_link": ONLINE_LINK, "starts": "10:00", "ends": "12:00"},
    ),
    "committees:meeting_cancel": ("national_office", "meeting", {}),
    "committees:meeting_mark_held": ("national_office", "started_meeting", {}),
    "committees:agenda_edit": ("national_office", "meeting", {}),  # prepare, add an item
    "committees:agenda_prepare": ("national_office", "meeting", {}),
    "committees:agenda_add_item": ("national_office", "meeting", {}),
    "committees:agenda_publish": ("national_office", "agenda_meeting", {}),
    "committees:agenda_item_edit": ("national_office", "agenda_item", {}),
    "committees:agenda_item_move": ("national_office", "agenda_item", {}),
    "committees:agenda_item_delete": ("national_office", "agenda_item", {}),
    "committees:paper_upload": ("national_office", "agenda_item", {}),  # the baseline people.csv is text
    "committees:paper_delete": ("national_office", "paper", {}),
    # Public day-school booking (public_views); objects from tests/dayschools/booking_objects.py. The
    # honeypot ("website") is left empty, as a person leaves it; the guest form is on the event page too.
    "dayschools:event_detail": ("outsider", "open_event", {"website": ""}),
    "dayschools:book": ("outsider", "open_event", {"website": ""}),
    "dayschools:book_member": ("member", "open_event", {}),
    "dayschools:booking_cancel": ("outsider", "booking_token", {}),
    "dayschools:booking_claim": ("member", "claim_token", {}),
    # Day-school organisers' pages and the door list (organiser_views); objects from
    # tests/dayschools/organiser_objects.py. Dates and times come filled in by the pages; the
    # organisers' e-mail box is left empty (an address must belong to an account).
    "dayschools:series_add": ("national_office", None, {}),
    "dayschools:series_edit": ("national_office", "organise_series", {}),
    "dayschools:school_add": ("national_office", "organise_series", {}),
    "dayschools:school_edit": ("national_office", "organise_school", {}),
    "dayschools:event_add": ("national_office", "organise_school", {"organiser_emails": ""}),
    "dayschools:event_edit": ("national_office", "organise_event", {"organiser_emails": ""}),
    "dayschools:event_publish": ("national_office", "organise_draft_event", {}),
    "dayschools:event_cancel": ("national_office", "organise_event", {}),
    "dayschools:event_copy": ("national_office", "organise_event", {}),
    "dayschools:workshop_add": ("national_office", "organise_event", {}),
    "dayschools:workshop_edit": ("national_office", "organise_workshop", {}),
    "dayschools:workshop_delete": ("national_office", "organise_workshop", {}),
    "dayschools:door": ("national_office", "organise_event", {}),  # check in, undo; the walk-in form
    "dayschools:door_walk_in": ("national_office", "organise_event", {}),
    # Members' conference pages, setup, entitlement and payments (conference/views.py); objects from
    # tests/conference/register_objects.py. The setup pages fill in their dates; an empty capacity means
    # no limit; the exception is for Rosa, a member.
    "conference:register": ("member", "open_conference", {}),
    "conference:registration_change": ("member", "own_registration", {}),
    "conference:registration_cancel": ("member", "own_registration", {}),
    "conference:setup_add": ("national_office", None, {"capacity": ""}),
    "conference:setup_edit": ("national_office", "open_conference", {"capacity": ""}),
    "conference:invite": ("national_office", "open_conference", {}),
    "conference:take_snapshot": ("national_office", "open_conference", {}),
    "conference:grant_exception": ("national_office", "open_conference", {"email": "rosa@example.org"}),
    "conference:record_payment": ("national_office", "own_registration", {}),
    # Branch delegates: London's organiser records Rosa (the one member left to choose) or removes Della.
    "conference:branch_delegates": ("london_organiser", "london_delegates", {}),
    "conference:remove_delegate": ("london_organiser", "london_delegate", {}),
    # Recording a follow-up (report_views); objects from tests/dayschools/report_objects.py.
    "dayschools:follow_up_record": ("national_office", "follow_up_booking", {}),
    # The conference desk and the CAC's pages (desk_views, cac_views); objects from
    # tests/conference/desk_objects.py. The desk's search page has no POST form until someone is found;
    # the match form offers only a guest waiting and a host with a bed free; assigning a duty already
    # held changes nothing, so its baseline is accepted too.
    "conference:desk_person": ("national_office", "desk_registration", {}),  # check in (and issue)
    "conference:cac_accommodation": ("national_office", "desk_conference", {}),
    "conference:cac_unmatch": ("national_office", "cac_hosted_guest", {}),
    "conference:cac_duties": ("national_office", "desk_conference", {}),
    "conference:cac_duty_remove": ("national_office", "cac_duty", {}),
    # The CAC's timetable and document forms (programme_views); objects from
    # tests/conference/programme_objects.py. The day, times and publication time come filled in by the
    # pages; the baseline file (people.csv) is plain text, which a document may be.
    "conference:session_add": ("national_office", "programme_conference", {}),
    "conference:session_edit": ("national_office", "programme_session", {}),
    "conference:session_delete": ("national_office", "programme_session", {}),
    "conference:document_add": ("national_office", "programme_conference", {}),
    "conference:document_edit": ("national_office", "programme_document", {}),
    "conference:document_delete": ("national_office", "programme_document", {}),
    # Outcomes and the text as carried (outcome_views); objects from tests/conference/outcome_objects.py. The
    # outcomes page's forms post to conference:record_outcome; "remitted" needs no counts (none are present).
    "conference:outcomes": ("national_office", "outcome_conference", {"outcome": "remitted"}),
    "conference:record_outcome": ("national_office", "outcome_item", {"outcome": "remitted"}),
    "conference:as_carried": ("national_office", "carried_motion", {}),
    # The CAC's business pages (business_views); objects from tests/conference/business_objects.py. The
    # rulings page's buttons post to conference:rule; the composite's boxes all come ticked (movers agreed).
    "conference:business_rules": ("national_office", "business_conference", {}),
    "conference:business": ("national_office", "business_conference", {}),
    "conference:rule": ("national_office", "business_motion", {"ruling": "in_order"}),
    "conference:composite": ("national_office", "business_conference", {}),
    "conference:business_order": ("national_office", "business_conference", {}),
    "conference:business_publish": ("national_office", "business_conference", {}),
    # Members' motions (motion_views); objects from tests/conference/motion_objects.py. Rosa proposes, with
    # Sid Seconder (another member) as seconder; the emergency box comes ticked, with its reason filled in.
    "conference:motion_add": ("member", "motion_conference", {"seconder_email": SECONDER_EMAIL}),
    "conference:second": ("member", "second_token", {}),
    "conference:motion_edit": ("member", "member_motion", {}),
    "conference:motion_withdraw": ("member", "member_motion", {}),
    "conference:amendment_add": (
        "member",
        "member_motion",
        {"seconder_email": SECONDER_EMAIL, "kind": "free_text"},
    ),
    "conference:amendment_answer": ("member", "member_amendment", {}),
    # Elections and nominations (election_views, nomination_views); objects from
    # tests/conference/election_objects.py. The set-up pages fill in their windows and the returning
    # officer; the terms' end is left empty (it would be today, before they start). Rosa nominates Nina,
    # seconded by Sam (the page's other form nominates herself); the nominee's link is used signed out.
    # The national office sets up with no returning officer: the CAC or the electing committee's secretary
    # appoints one (conference.rules APPOINT_RETURNING_OFFICER).
    "conference:election_add": (
        "national_office",
        "election_setup",
        {"term_ends_on": "", "returning_officer_email": ""},
    ),
    "conference:election_edit": ("national_office", "coming_election", {"term_ends_on": ""}),
    # The NC's secretary appoints the EC election's returning officer: the outsider, an account with no
    # part in it, in place of the one appointed (a replacement gives its reason).
    "conference:election_returning_officer": (
        "committee_secretary",
        "ec_election",
        {"email": "outsider@example.org", "reason": "The returning officer stood down."},
    ),
    "conference:nomination_add": (
        "member",
        "ec_election",
        {"nominee_email": NOMINEE_EMAIL, "seconder_email": ELECTION_SECONDER},
    ),
    "conference:nomination_respond": ("outsider", "nomination_token", {}),
    "conference:nomination_decline": ("outsider", "nomination_token", {}),
    "conference:nomination_edit": ("member", "own_nomination", {}),
    "conference:nomination_withdraw": ("member", "own_nomination", {}),
    # The returning officer approves Cat's request to stand as Catherine Cross (ballot_objects.name_request).
    "conference:nomination_ballot_name": ("returning_officer", "name_request", {"decision": "approve"}),
    # Ballots and tellers (ballot_views); objects from tests/conference/ballot_objects.py. Rosa's ballot page
    # carries her ranking as places on the paper: the baseline casts candidate 1 as her first preference. The
    # returning officer appoints the outsider (an account with no role); the teller issues Rosa a paper
    # and, once voting has closed, enters paper 1 (Ann's) as 1 then 2, not spoilt; the returning officer
    # accepts the closed election's agreed papers.
    "conference:ballot_vote": ("member", "ballot_election", {"do": "cast", "ranking": "1"}),
    "conference:teller_manage": ("returning_officer", "ballot_election", {"email": "outsider@example.org"}),
    "conference:teller_remove": ("returning_officer", "ballot_teller", {}),
    "conference:teller_issue_member": ("teller", "ballot_issue_member", {}),
    "conference:teller_enter": (
        "teller",
        "entry_election",
        {"paper_number": "1", "rank_1": "1", "rank_2": "2", "rank_3": "", "spoilt": ""},
    ),
    "conference:teller_reconcile": ("returning_officer", "papers_election", {}),
    # The count and the result (result_views); objects from tests/conference/result_objects.py. The
    # returning officer runs the count (the page's seed), confirms the counted election's latest
    # count, and imports a BLT file of its candidates, pasted (no file chosen: the baseline file is a CSV).
    "conference:result_count": ("returning_officer", "counted_election", {}),
    "conference:result_confirm": ("returning_officer", "unconfirmed_count", {}),
    "conference:result_import": (
        "returning_officer",
        "counted_election",
        {"blt_file": "", "text": BLT_FOR_COUNTED},
    ),
}
# The people who look at every page for forms the table does not name.
SEARCHERS = ("outsider", "member", "london_organiser", "national_office", "returning_officer", "teller")
# Forms that are not the project's: allauth's log-out button in base.html.
FOREIGN_ACTIONS = {"account_logout"}

SCRIPT = "<script>alert(1)</script>"
NASTIES: tuple[Any, ...] = (
    "",
    "x" * 10_000,
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE members_member; --",
    "%' OR '1'='1",
    "\x00",
    "\u202eevil",  # a right-to-left override
    "-1",
    "0",
    "1e309",
    "99999999999999999999999",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "31/02/2024",
    "\U0001f4e3" * 300,
    "on",
    ["1", SCRIPT],  # the field twice
)
# A checkbox is only ever read as ticked or not; these cover what that reading could trip on.
CHECKBOX_NASTIES: tuple[Any, ...] = ("", "false", "x" * 10_000, "\x00", ["1", SCRIPT])


class _Missing:
    """A field left out of the post altogether."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()
NOT_UTF8 = "%FF%FE%FD"  # percent-encoded bytes that are not UTF-8, sent raw

CSV_OK = "kind,email,full_name\ncontact,sam.csv@example.org,Sam Csv\n"


# Reading forms out of a page ------------------------------------------------------------------
@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)


class FormParser(HTMLParser):
    """The POST forms on a page, with their named fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._selected: str | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                multipart = a.get("enctype", "") == "multipart/form-data"
                self._form = Form(action=a.get("action", ""), multipart=multipart)
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "text" and a.get("inputmode") == "tel":
                kind = "tel"
            value = a.get("value", "on" if kind in {"checkbox", "radio"} else "")
            self._form.fields.append(Field(name=name, kind=kind, value=value))
        elif tag == "button" and name:
            self._form.fields.append(Field(name=name, kind="hidden", value=a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = Field(name=name, kind="textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = Field(name=name, kind="select")
            self._selected = None
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._selected = value

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._selected or next((o for o in self._select.options if o), "")
            self._select.value = chosen
            self._select = None


def _action_name(form: Form, page_url: str) -> str | None:
    """The URL name a form posts to (its page's when the action is empty)."""
    target = urlsplit(form.action).path or page_url
    try:
        return resolve(target).view_name
    except Resolver404:
        return None


def post_forms(html: str, page_url: str) -> list[Form]:
    """The project's POST forms on a page (allauth's log-out button left out)."""
    parser = FormParser()
    parser.feed(html)
    return [form for form in parser.forms if _action_name(form, page_url) not in FOREIGN_ACTIONS]


# Values ---------------------------------------------------------------------------------------
def _plausible(f: Field) -> Any:
    """A value the field would accept: what the page offers, or an everyday value for its type."""
    if f.kind in {"checkbox", "radio", "hidden", "select"} or f.value.strip():
        return f.value
    if f.kind == "file":
        return SimpleUploadedFile("people.csv", CSV_OK.encode(), content_type="text/csv")
    return {
        "email": "someone@example.org",
        "tel": "07700 900456",
        "date": timezone.localdate().isoformat(),
        "number": "5.00",
    }.get(f.kind, "Plain words")


def baseline(url_name: str, form: Form) -> dict[str, Any]:
    """Values the form accepts: the page's and everyday ones, with ``FORMS``' overrides."""
    values = {f.name: _plausible(f) for f in form.fields if f.name != "csrfmiddlewaretoken"}
    overrides = {name: value for name, value in FORMS[url_name][2].items() if name in values}
    return {**values, **overrides}


def _as_file(value: Any) -> Any:
    """A hostile value for a file input: the text as a file's contents (or the wrong type altogether)."""
    if value is MISSING or isinstance(value, list):
        return value
    if value == "on":  # a plain string where a file belongs
        return value
    return SimpleUploadedFile("people.csv", str(value).encode(), content_type="text/csv")


HOSTILE_FILES: tuple[SimpleUploadedFile, ...] = (
    SimpleUploadedFile("people.csv", b"\xff\xfe\x00kind,full_name\n", content_type="text/csv"),
    SimpleUploadedFile("people.csv", b"", content_type="text/csv"),
    SimpleUploadedFile("people.exe", CSV_OK.encode(), content_type="application/octet-stream"),
    SimpleUploadedFile(f"{SCRIPT}{'x' * 300}.csv", CSV_OK.encode(), content_type="text/csv"),
    SimpleUploadedFile(
        "people.csv",
        ("kind,email,full_name\n" + f"contact,a@example.org,{SCRIPT}\n" + "member,,\n" * 50).encode(),
        content_type="text/csv",
    ),
)


# Posting and checking ----------------------------------------------------------------------------
def _tracked_models() -> list[Any]:
    apps_written_by_forms = ("members", "awl", "committees", "dayschools", "conference")
    models = [model for label in apps_written_by_forms for model in apps.get_app_config(label).get_models()]
    return [model for model in models if model is not AuditEntry]


Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot() -> Snapshot:
    """Every row of every tracked table."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list()) for model in _tracked_models()
    }


def _rewind(data: dict[str, Any]) -> None:
    for value in data.values():
        if isinstance(value, SimpleUploadedFile):
            value.seek(0)


def check_post(
    client: Client, url: str, data: dict[str, Any], before: Snapshot, *, raw: bytes | None = None
) -> int:
    """Post, apply the rules, and roll the database back so the next post starts from ``before``."""
    _rewind(data)
    with transaction.atomic():
        try:
            if raw is not None:
                response = client.post(url, data=raw, content_type="application/x-www-form-urlencoded")
            else:
                response = client.post(url, {k: v for k, v in data.items() if v is not MISSING})
        except Exception as exc:
            pytest.fail(f"POST {url} with {_describe(data, raw)} raised {exc!r}")
        status = response.status_code
        assert status < 500, f"POST {url} with {_describe(data, raw)} gave {status}"
        if status != 302:
            assert status == 200 or 400 <= status < 500, f"POST {url}: unexpected {status}"
            assert snapshot() == before, f"POST {url} with {_describe(data, raw)} wrote data, gave {status}"
            assert SCRIPT.encode() not in response.content, f"POST {url} echoed the script unescaped"
        transaction.set_rollback(True)
    return status


def _describe(data: dict[str, Any], raw: bytes | None) -> str:
    if raw is not None:
        return f"body {raw[:200]!r}"
    return repr({k: (v[:60] + "…" if isinstance(v, str) and len(v) > 60 else v) for k, v in data.items()})


def _raw_body(data: dict[str, Any], target: str | None) -> bytes:
    """The post urlencoded by hand, ``target``'s value replaced by bytes that are not UTF-8."""
    parts = []
    for name, value in data.items():
        if isinstance(value, SimpleUploadedFile):
            continue
        encoded = NOT_UTF8 if name == target else quote(str(value), safe="")
        parts.append(f"{quote(name, safe='')}={encoded}")
    if target is None:
        parts.append(f"{NOT_UTF8}=1")  # a field name that is not UTF-8
    return "&".join(parts).encode("ascii")


# People and objects --------------------------------------------------------------------------------
@pytest.fixture
def people(member, outsider, london_organiser, national_office, nc_meeting) -> dict[str, Any]:
    return {
        "outsider": outsider,
        "member": member.user,
        "london_organiser": london_organiser,
        "national_office": national_office,
        # Appointed to the elections of the ballot and result objects, holding no other role.
        "returning_officer": returning_officer(),
        "teller": teller_account(TELLER_EMAIL),
        "committee_secretary": nc_secretary(member, nc_meeting.committee),
    }


@pytest.fixture
def objects(member, applicant, london, national_office, nc_meeting) -> dict[str, Callable[[], list[Any]]]:
    contact = services.create_contact(
        actor=None,
        details={
            "full_name": "Sam Contact",
            "email": "sam@example.org",
            "branch": london,
            "how_met": "stall",
        },
    )
    batch = ImportBatch.objects.create(uploaded_by=national_office, filename="people.csv", content=CSV_OK)
    # A notice to the NC that failed for good: the secretary's page offers to resend it.
    OutboundMessage.objects.create(
        key="robustness-nc-failed",
        to=member.user.email,
        subject="Notice of meeting",
        body_text="Notice",
        status=OutboundMessage.Status.FAILED,
        attempts=5,
        group=f"committee:{nc_meeting.committee_id}",
    )
    return {
        "branch": lambda: [london.slug],
        "member": lambda: [member.pk],
        "application": lambda: [applicant.pk],
        "contact": lambda: [contact.pk],
        "import_batch": lambda: [batch.pk],
        "unsubscribe_token": lambda: [make_token("nobody@example.org")],
        "committee": lambda: [nc_meeting.committee.slug],
        "meeting": lambda: [nc_meeting.pk],
        "apology_token": lambda: [apology_token(nc_meeting, member)],
        "calendar_token": lambda: [member.calendar_tokens.create().token],
        "committee_feed": lambda: [nc_meeting.committee.slug, member.calendar_tokens.create().token],
        **record_objects(nc_meeting, member),  # on the day and after (record_views)
        **meeting_objects(nc_meeting),  # scheduling, agenda and papers (meeting_views)
        **register_objects(member),  # members' conference pages, setup, entitlement, payments
        **booking_objects(member),  # public day-school pages, a booking's link, a claim link
        **organiser_objects(london),  # day-school organisers' pages and the door list
        **report_objects(london, national_office),  # attendance reports and follow-ups (report_views)
        **desk_objects(london),  # the conference check-in desk and the CAC's pages
        **programme_objects(),  # the conference timetable and papers
        **outcome_objects(),  # the CAC's outcomes, the text as carried, the policy record
        **business_objects(),  # the CAC's business pages, the CAC report, the order paper
        **motion_objects(member),  # members' motions, seconding and amendments (motion_views)
        **election_objects(member, nc_meeting.committee),  # elections and nominations
        **ballot_objects(member, nc_meeting.committee, returning_officer()),  # ballots, tellers, receipts
        **result_objects(member, nc_meeting.committee, returning_officer()),  # the count and the result
    }


def _url(url_name: str, kind: str | None, objects: dict[str, Callable[[], list[Any]]]) -> str:
    return reverse(url_name, args=objects[kind]() if kind else [])


def forms_of(
    client: Client, url_name: str, people: dict[str, Any], objects: Any
) -> Iterator[tuple[str, Form]]:
    """(url posted to, form) for each POST form on ``url_name``'s page, seen by its user."""
    role, kind, _ = FORMS[url_name]
    client.force_login(people[role])
    url = _url(url_name, kind, objects)
    response = client.get(url)
    assert response.status_code == 200, f"GET {url} as {role}: {response.status_code}"
    forms = post_forms(response.content.decode(), url)
    assert forms, f"{url_name} is in FORMS but its page has no POST form for {role}"
    for form in forms:
        yield urlsplit(form.action).path or url, form


# The tests ----------------------------------------------------------------------------------------------
def uncovered_forms(
    client: Client, people: dict[str, Any], objects: Any, url_names: Iterable[str]
) -> set[str]:
    """URL names of pages with a POST form, or that a form posts to, that ``FORMS`` does not name."""
    uncovered: set[str] = set()
    for url_name in url_names:
        assert url_name in MATRIX, f"{url_name} has no permission-matrix entry"
        url = _url(url_name, MATRIX[url_name][0], objects)
        for role in SEARCHERS:
            client.force_login(people[role])
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in post_forms(response.content.decode(), url):
                uncovered |= {url_name, _action_name(form, url) or form.action} - FORMS.keys()
    return uncovered


def test_every_page_with_a_post_form_is_in_the_table(client, people, objects):
    uncovered = uncovered_forms(client, people, objects, sorted(project_url_names()))
    assert not uncovered, f"POST forms not covered by tests/test_robustness.py FORMS: {sorted(uncovered)}"


def test_a_form_missing_from_the_table_is_reported(client, people, objects, monkeypatch):
    """The control for the test above: it does see a form the table leaves out."""
    monkeypatch.delitem(FORMS, "members:resign")
    assert uncovered_forms(client, people, objects, ["members:resign", "members:my_membership"]) == {
        "members:resign"
    }


@pytest.mark.parametrize("url_name", FORMS)
def test_the_baseline_post_is_accepted(client, people, objects, url_name):
    """Without this, a 200 in the fuzzing passes could come from the baseline, not the nasty."""
    for url, form in forms_of(client, url_name, people, objects):
        data = baseline(url_name, form)
        _rewind(data)
        with transaction.atomic():  # each form on the page starts from the same state
            response = client.post(url, data)
            transaction.set_rollback(True)
        errors = response.context["form"].errors if response.context and "form" in response.context else ""
        assert response.status_code == 302, (
            f"baseline POST {url} {data} gave {response.status_code}: {errors}"
        )


def _nasties_for(f: Field) -> tuple[Any, ...]:
    if f.kind == "file":
        return (*(_as_file(nasty) for nasty in NASTIES), *HOSTILE_FILES)
    if f.kind == "checkbox":
        return CHECKBOX_NASTIES
    return NASTIES


@pytest.mark.parametrize("url_name", FORMS)
def test_hostile_values_one_field_at_a_time(client, people, objects, url_name):
    for url, form in forms_of(client, url_name, people, objects):
        good = baseline(url_name, form)
        before = snapshot()
        for f in form.fields:
            if f.name == "csrfmiddlewaretoken":
                continue
            values = _nasties_for(f)
            for nasty in (*values, MISSING):
                check_post(client, url, {**good, f.name: nasty}, before)
            if not form.multipart:
                check_post(client, url, good, before, raw=_raw_body(good, f.name))
        if not form.multipart:
            check_post(client, url, good, before, raw=_raw_body(good, None))


def _field_values(f: Field, good: dict[str, Any]) -> st.SearchStrategy[Any]:
    plain = st.one_of(
        st.sampled_from(NASTIES),
        st.text(max_size=300),
        st.just(MISSING),
        st.just(good[f.name]),
    )
    return plain.map(_as_file) if f.kind == "file" else plain


@pytest.mark.parametrize("url_name", FORMS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_values_in_every_field_at_once(client, people, objects, url_name, data):
    for url, form in forms_of(client, url_name, people, objects):
        good = baseline(url_name, form)
        fields = [f for f in form.fields if f.name != "csrfmiddlewaretoken"]
        post = data.draw(st.fixed_dictionaries({f.name: _field_values(f, good) for f in fields}), label=url)
        check_post(client, url, post, snapshot())


def test_a_view_that_crashes_is_caught(client, people, objects, monkeypatch):
    """The control: the check above does fail when a view raises."""

    def explode(**kwargs: Any) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(views.services, "change_status", explode)
    url, form = next(forms_of(client, "members:resign", people, objects))
    with pytest.raises(pytest.fail.Exception, match="boom"):
        check_post(client, url, baseline("members:resign", form), snapshot())


def test_a_partial_write_is_caught(client, people, objects, monkeypatch):
    """The control: a service that writes, then fails, is caught though the page looks fine."""

    def half_done(*, member: Member, **kwargs: Any) -> None:
        Member.objects.filter(pk=member.pk).update(phone="07000 000000")
        raise MembershipError("stopped half-way")

    monkeypatch.setattr(views.services, "change_status", half_done)
    url, form = next(forms_of(client, "members:resign", people, objects))
    with pytest.raises(AssertionError, match=r"wrote data, gave (200|409)"):
        check_post(client, url, baseline("members:resign", form), snapshot())
