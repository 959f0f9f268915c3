"""Every URL in the project, for every role, → the status code it must give.

The walker collects every named URL pattern the project serves; a pattern
with no entry in ``MATRIX`` (and not one of the third-party sets in
``EXTERNAL``) fails the suite, so a page cannot be added without deciding
who may see it. Objects for the URLs' arguments are the named people and
rows from tests/conftest.py: a London member, a London application, a
London contact, an import batch.

Every page a signed-in person gets (a 200) is ``no-store, private``: no browser or proxy keeps it.

Deny by default shows as: anonymous → login redirect on every non-public
page; 403 for a page of a kind the role has no business with; 404 for a
person's record the role may not see (its existence is personal data).

Powers held by appointment have their own columns: the returning officer
and the teller of the elections here, a CAC member and the NC's secretary.
No account is above the rules, so the national office's column shows 403 on
every page of an election it was not appointed to run.

The Django admin has its own table at the end: every admin URL of a model
holding personal data, for anonymous visitors, members, and staff without
TOTP, with TOTP but a password-only session, and with both factors passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from awl.consent import make_token
from committees.notices import apology_token
from members import services
from members.models import ImportBatch, Role
from tests.committees.meeting_objects import meeting_objects
from tests.committees.record_objects import record_objects
from tests.conference.ballot_objects import TELLER_EMAIL, ballot_objects, teller_account
from tests.conference.business_objects import business_objects
from tests.conference.desk_objects import desk_objects
from tests.conference.election_objects import election_objects, nc_secretary, returning_officer
from tests.conference.motion_objects import motion_objects
from tests.conference.outcome_objects import outcome_objects
from tests.conference.programme_objects import programme_objects
from tests.conference.register_objects import register_objects
from tests.conference.result_objects import result_objects
from tests.dayschools.booking_objects import booking_objects
from tests.dayschools.organiser_objects import organiser_objects
from tests.dayschools.report_objects import report_objects
from tests.factories import UserFactory, make_member, make_officer

ROLES = (
    "anonymous",
    "outsider",
    "applicant",
    "member",
    "london_organiser",
    "leeds_organiser",
    "treasurer",
    "national_office",
    # Powers held by appointment, not by account: each is a separate person here.
    "returning_officer",  # returning officer of every election in the matrix, no member record
    "teller",  # teller of the ballot objects' elections, no member record
    "cac",  # a member of the conference arrangements committee, no member record and no duty
    "committee_secretary",  # a London member sitting on the NC as its secretary
)

# Third-party URL sets, protected by their own code, not walked one by one.
EXTERNAL = {
    "admin": "Django admin: staff only, enforced by AdminSite",
    "allauth": "allauth's account and two-factor pages: public by design (log in, sign up, reset)",
}

LOGIN = "login"  # expected value meaning "302 to the login page"


_UNSET: Any = object()


def _row(
    anonymous: Any,
    outsider: int,
    applicant: int,
    member: int,
    london: int,
    leeds: int,
    treasurer: int,
    office: int,
    *,
    ro: int = _UNSET,
    teller: int = _UNSET,
    cac: int = _UNSET,
    secretary: int = _UNSET,
) -> dict[str, Any]:
    """Expected status per role. An appointment grants nothing beyond what it names, so by default the
    returning officer, the teller and the CAC member (accounts with no member record) get what the
    outsider gets, and the NC's secretary what the member (who also sits on the NC) gets."""
    return dict(
        zip(
            ROLES,
            (
                anonymous,
                outsider,
                applicant,
                member,
                london,
                leeds,
                treasurer,
                office,
                outsider if ro is _UNSET else ro,
                outsider if teller is _UNSET else teller,
                outsider if cac is _UNSET else cac,
                member if secretary is _UNSET else secretary,
            ),
            strict=True,
        )
    )


def _with(row: dict[str, Any], **appointed: int) -> dict[str, Any]:
    """``row``, with what the appointed people (``ro``, ``teller``, ``cac``, ``secretary``) get instead."""
    names = {"ro": "returning_officer", "teller": "teller", "cac": "cac", "secretary": "committee_secretary"}
    return {**row, **{names[key]: status for key, status in appointed.items()}}


# The rows that recur, by who gets in.
# No login needed: everyone, signed in or not.
ANYONE = _row(200, 200, 200, 200, 200, 200, 200, 200)
# Anyone signed in.
SIGNED_IN = _row(LOGIN, 200, 200, 200, 200, 200, 200, 200)
# The national office; everyone else refused (403) before any lookup.
OFFICE_ONLY = _row(LOGIN, 403, 403, 403, 403, 403, 403, 200)
# The national office; a 404 to everyone else.
OFFICE_ONLY_HIDDEN = _row(LOGIN, 404, 404, 404, 404, 404, 404, 200)
# The member (Rosa) and the national office; a 404 to the rest.
MEMBER_AND_OFFICE = _row(LOGIN, 404, 404, 200, 404, 404, 404, 200)
# The national office; the member sees the object but is refused (403); a 404 to the rest.
OFFICE_MEMBER_REFUSED = _row(LOGIN, 404, 404, 403, 404, 404, 404, 200)

# The CAC and the national office; everyone else refused (403) before any lookup.
CAC_AND_OFFICE = _with(OFFICE_ONLY, cac=200)
# The committee's secretary and the national office; the member (on the committee) is refused (403).
SECRETARY_AND_OFFICE = _with(OFFICE_MEMBER_REFUSED, secretary=200)

# url name → (argument kind, expected per role).
MATRIX: dict[str, tuple[str | None, dict[str, Any]]] = {
    "dashboard": (None, SIGNED_IN),
    "healthz": (None, ANYONE),
    "unsubscribe": ("unsubscribe_token", ANYONE),  # a GET only shows the button
    "bench_baseline": (None, _row(404, 404, 404, 404, 404, 404, 404, 404)),
    "members:apply": (None, _row(LOGIN, 200, 200, 302, 200, 200, 200, 200)),
    "members:my_membership": (None, _row(LOGIN, 302, 200, 200, 302, 302, 302, 302)),
    "members:edit_my_details": (None, _row(LOGIN, 302, 200, 200, 302, 302, 302, 302)),
    "members:export_my_data": (None, _row(LOGIN, 404, 200, 200, 404, 404, 404, 404)),
    "members:resign": (None, _row(LOGIN, 302, 200, 200, 302, 302, 302, 302)),
    "members:branch_members": ("branch", _row(LOGIN, 403, 403, 403, 200, 403, 200, 200)),
    "members:branch_members_csv": ("branch", _row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    "members:application_queue": (None, _row(LOGIN, 403, 403, 403, 200, 200, 403, 200)),
    "members:application_detail": ("application", _row(LOGIN, 404, 404, 404, 200, 404, 404, 200)),
    "members:member_detail": ("member", _row(LOGIN, 404, 404, 200, 200, 404, 200, 200, secretary=404)),
    "members:record_payment": ("member", _row(LOGIN, 404, 404, 404, 404, 404, 200, 200)),
    "members:change_status": ("member", _row(LOGIN, 404, 404, 404, 200, 404, 404, 200)),
    "members:erase_member": ("member", OFFICE_ONLY_HIDDEN),
    "members:contact_list": (None, _row(LOGIN, 403, 403, 403, 200, 200, 403, 200)),
    "members:contact_add": (None, _row(LOGIN, 403, 403, 403, 200, 200, 403, 200)),
    "members:contact_detail": ("contact", _row(LOGIN, 404, 404, 404, 200, 404, 404, 200)),
    "members:contact_consents": ("contact", _row(LOGIN, 404, 404, 404, 200, 404, 404, 200)),
    "members:erase_contact": ("contact", _row(LOGIN, 404, 404, 404, 403, 404, 404, 200)),
    "members:retention": (None, OFFICE_ONLY),
    "members:audit": (None, OFFICE_ONLY),
    "members:person_data": (None, OFFICE_ONLY),
    "members:import_upload": (None, OFFICE_ONLY),
    "members:import_preview": ("import_batch", OFFICE_ONLY),
    # The NC (elected by conference): the member sits on it; approved minutes are for all members.
    "committees:committee_list": (None, SIGNED_IN),
    "committees:committee_detail": ("committee", MEMBER_AND_OFFICE),
    "committees:meeting_detail": ("meeting", MEMBER_AND_OFFICE),
    # Signed link from a notice, no login: anyone holding it may use it.
    "committees:apology_link": ("apology_token", ANYONE),
    # On the day and after (record_views): the member sits on the NC but is no officer of it (403 where
    # they see the meeting but may not change it); national office manages every committee. The NC's
    # minutes held in record_objects are circulated, not published, so only the committee reads them.
    "committees:send_apologies": ("meeting", _row(LOGIN, 404, 404, 200, 404, 404, 404, 403)),
    "committees:attendance": ("held_meeting", SECRETARY_AND_OFFICE),
    "committees:meeting_quorum": ("meeting", MEMBER_AND_OFFICE),
    "committees:minutes": ("held_meeting", MEMBER_AND_OFFICE),
    "committees:minutes_draft": ("held_meeting", SECRETARY_AND_OFFICE),
    "committees:minutes_circulate": ("held_meeting", SECRETARY_AND_OFFICE),
    "committees:minutes_approve": ("held_meeting", SECRETARY_AND_OFFICE),
    "committees:minutes_publish": ("approved_meeting", SECRETARY_AND_OFFICE),
    "committees:decision_add": ("held_meeting", SECRETARY_AND_OFFICE),
    "committees:action_point_add": ("held_meeting", SECRETARY_AND_OFFICE),
    "committees:decisions": ("committee", MEMBER_AND_OFFICE),
    "committees:my_action_points": (None, SIGNED_IN),
    # The member owns the action point; national office may close any.
    "committees:action_point_done": ("action_point", MEMBER_AND_OFFICE),
    # Calendar feeds and undelivered mail (feed_views). A member's own feed page needs a member record;
    # the .ics feeds take no login: the token in the address is the key.
    "committees:my_calendar": (None, _row(LOGIN, 404, 200, 200, 404, 404, 404, 404)),
    "committees:member_feed": ("calendar_token", ANYONE),
    "committees:committee_calendar": ("committee", MEMBER_AND_OFFICE),
    "committees:committee_feed": ("committee_feed", ANYONE),
    "committees:failed_messages": ("committee", SECRETARY_AND_OFFICE),
    # The secretary's scheduling, agenda and papers (meeting_views): the member sits on the NC, so sees
    # it (403 on the secretary's pages, and may download its papers); national office manages it.
    "committees:manage_meetings": ("committee", SECRETARY_AND_OFFICE),
    "committees:call_meeting": ("committee", SECRETARY_AND_OFFICE),
    "committees:meeting_manage": ("meeting", SECRETARY_AND_OFFICE),
    "committees:meeting_move": ("meeting", SECRETARY_AND_OFFICE),
    "committees:meeting_cancel": ("meeting", SECRETARY_AND_OFFICE),
    "committees:meeting_mark_held": ("meeting", SECRETARY_AND_OFFICE),
    "committees:agenda_edit": ("meeting", SECRETARY_AND_OFFICE),
    "committees:agenda_prepare": ("meeting", SECRETARY_AND_OFFICE),
    "committees:agenda_add_item": ("meeting", SECRETARY_AND_OFFICE),
    "committees:agenda_publish": ("meeting", SECRETARY_AND_OFFICE),
    "committees:agenda_item_edit": ("agenda_item", SECRETARY_AND_OFFICE),
    "committees:agenda_item_move": ("agenda_item", SECRETARY_AND_OFFICE),
    "committees:agenda_item_delete": ("agenda_item", SECRETARY_AND_OFFICE),
    "committees:paper_upload": ("agenda_item", SECRETARY_AND_OFFICE),
    "committees:paper_download": ("paper", MEMBER_AND_OFFICE),
    "committees:paper_delete": ("paper", SECRETARY_AND_OFFICE),
    # Public day-school pages (dayschools/public_views.py); objects from tests/dayschools/booking_objects.py.
    # Anyone may read them and book; a member's one-click booking needs a member record (the officers
    # here have none: 404); a booking's signed link is the key to that booking, login or not.
    "dayschools:event_list": (None, ANYONE),
    "dayschools:event_detail": ("open_event", ANYONE),
    "dayschools:book": ("open_event", ANYONE),
    "dayschools:book_member": ("open_event", _row(LOGIN, 404, 200, 200, 404, 404, 404, 404)),
    "dayschools:booked": ("open_event", ANYONE),
    "dayschools:booking_link": ("booking_token", ANYONE),
    "dayschools:booking_cancel": ("booking_token", ANYONE),
    # The link to claim a booking made with Rosa's address: Rosa, logged in, and nobody else.
    "dayschools:booking_claim": (
        "claim_token",
        _row(LOGIN, 404, 404, 200, 404, 404, 404, 404, secretary=404),
    ),
    "dayschools:my_bookings": (None, SIGNED_IN),
    # Day-school organisers' pages and the door list (dayschools/organiser_views.py); objects from
    # tests/dayschools/organiser_objects.py. No role here organises day schools or an event but the
    # national office; everyone else is refused (403), however much they may see elsewhere.
    "dayschools:organise": (None, OFFICE_ONLY),
    "dayschools:series_add": (None, OFFICE_ONLY),
    "dayschools:series_edit": ("organise_series", OFFICE_ONLY),
    "dayschools:school_add": ("organise_series", OFFICE_ONLY),
    "dayschools:school_edit": ("organise_school", OFFICE_ONLY),
    "dayschools:event_add": ("organise_school", OFFICE_ONLY),
    "dayschools:event_manage": ("organise_event", OFFICE_ONLY),
    "dayschools:event_edit": ("organise_event", OFFICE_ONLY),
    "dayschools:event_publish": ("organise_draft_event", OFFICE_ONLY),
    "dayschools:event_cancel": ("organise_event", OFFICE_ONLY),
    "dayschools:event_copy": ("organise_event", OFFICE_ONLY),
    "dayschools:event_bookings": ("organise_event", OFFICE_ONLY),
    "dayschools:workshop_add": ("organise_event", OFFICE_ONLY),
    "dayschools:workshop_edit": ("organise_workshop", OFFICE_ONLY),
    "dayschools:workshop_delete": ("organise_workshop", OFFICE_ONLY),
    "dayschools:door": ("organise_event", OFFICE_ONLY),
    "dayschools:door_walk_in": ("organise_event", OFFICE_ONLY),
    # Attendance reports and follow-ups (dayschools/report_views.py); objects from
    # tests/dayschools/report_objects.py. Reports are for day-school organisers and national office
    # (403 before any lookup); the follow-up list is London's for the London organiser (the Leeds
    # organiser's branch covers no city here), and a London person is a 404 to anyone else.
    "dayschools:reports": (None, OFFICE_ONLY),
    "dayschools:event_report": ("report_event", OFFICE_ONLY),
    "dayschools:event_report_csv": ("report_event", OFFICE_ONLY),
    "dayschools:city_report": ("report_series", OFFICE_ONLY),
    "dayschools:city_report_csv": ("report_series", OFFICE_ONLY),
    "dayschools:city_chart": ("report_series", OFFICE_ONLY),
    "dayschools:school_report": ("report_series", OFFICE_ONLY),
    "dayschools:school_report_csv": ("report_series", OFFICE_ONLY),
    "dayschools:region_report": ("report_series", OFFICE_ONLY),
    "dayschools:region_report_csv": ("report_series", OFFICE_ONLY),
    "dayschools:follow_ups": (None, _row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    "dayschools:follow_ups_csv": (None, _row(LOGIN, 403, 403, 403, 200, 403, 403, 200)),
    "dayschools:follow_up_record": ("follow_up_booking", _row(LOGIN, 404, 404, 404, 200, 404, 404, 200)),
    # Members' conference pages, setup, entitlement and payments (conference/views.py); objects from
    # tests/conference/register_objects.py. Anyone signed in reads a conference; registering and "my
    # registration" need a member record (the officers here have none: 404); a registration is its
    # member's alone (404 to anyone else). Setting up, entitlement and invitations are the CAC's (no
    # column here) and the national office's: 403 to the rest. Treasurers and the national office
    # record payments: the list is a 403 to others, a registration's payment page a 404.
    "conference:index": (None, SIGNED_IN),
    "conference:detail": ("open_conference", SIGNED_IN),
    "conference:register": ("open_conference", _row(LOGIN, 404, 200, 200, 404, 404, 404, 404)),
    "conference:my_registration": ("registered_conference", _row(LOGIN, 404, 200, 200, 404, 404, 404, 404)),
    "conference:registration_change": (
        "own_registration",
        _row(LOGIN, 404, 404, 200, 404, 404, 404, 404, secretary=404),
    ),
    "conference:registration_cancel": (
        "own_registration",
        _row(LOGIN, 404, 404, 200, 404, 404, 404, 404, secretary=404),
    ),
    "conference:setup_add": (None, CAC_AND_OFFICE),
    "conference:setup_edit": ("open_conference", CAC_AND_OFFICE),
    "conference:invite": ("open_conference", CAC_AND_OFFICE),
    "conference:entitlement": ("open_conference", CAC_AND_OFFICE),
    "conference:take_snapshot": ("open_conference", CAC_AND_OFFICE),
    "conference:grant_exception": ("open_conference", CAC_AND_OFFICE),
    # Branch delegates: the branch's organiser (and the CAC) records them; the national
    # office as such chooses nobody's delegates; the Leeds organiser sees the list of their own branch.
    "conference:delegates": ("delegates_conference", _row(LOGIN, 403, 403, 403, 200, 200, 403, 403, cac=200)),
    "conference:branch_delegates": (
        "london_delegates",
        _row(LOGIN, 403, 403, 403, 200, 403, 403, 403, cac=200),
    ),
    "conference:remove_delegate": (
        "london_delegate",
        _row(LOGIN, 403, 403, 403, 200, 403, 403, 403, cac=200),
    ),
    "conference:outstanding": ("registered_conference", _row(LOGIN, 403, 403, 403, 403, 403, 200, 200)),
    "conference:record_payment": ("own_registration", _row(LOGIN, 404, 404, 404, 404, 404, 200, 200)),
    # The conference check-in desk (conference/desk_views.py) and the CAC's pages (conference/cac_views.py);
    # objects from tests/conference/desk_objects.py. Only the CAC and the national office
    # run them: everyone else is refused (403) before any lookup. Each needs list also needs its duty
    # (tests/conference/test_needs_privacy.py); assigning duties is for the national office alone.
    "conference:desk": ("desk_conference", CAC_AND_OFFICE),
    "conference:desk_counts": ("desk_conference", CAC_AND_OFFICE),
    "conference:desk_person": ("desk_registration", CAC_AND_OFFICE),
    "conference:desk_badge": ("desk_registration", CAC_AND_OFFICE),
    "conference:cac": ("desk_conference", CAC_AND_OFFICE),
    "conference:cac_branches_csv": ("desk_conference", CAC_AND_OFFICE),
    "conference:cac_bands_csv": ("desk_conference", CAC_AND_OFFICE),
    "conference:cac_owing_csv": ("desk_conference", CAC_AND_OFFICE),
    "conference:cac_access": ("desk_conference", OFFICE_ONLY),
    "conference:cac_access_csv": ("desk_conference", OFFICE_ONLY),
    "conference:cac_diet": ("desk_conference", OFFICE_ONLY),
    "conference:cac_diet_csv": ("desk_conference", OFFICE_ONLY),
    "conference:cac_creche": ("desk_conference", OFFICE_ONLY),
    "conference:cac_creche_csv": ("desk_conference", OFFICE_ONLY),
    "conference:cac_accommodation": ("desk_conference", OFFICE_ONLY),
    "conference:cac_accommodation_csv": ("desk_conference", OFFICE_ONLY),
    "conference:cac_unmatch": ("cac_hosted_guest", OFFICE_ONLY),
    "conference:cac_duties": ("desk_conference", CAC_AND_OFFICE),
    "conference:cac_duty_remove": ("cac_duty", OFFICE_ONLY),
    # The timetable and the papers (conference/programme_views.py); objects from
    # tests/conference/programme_objects.py. Members read the timetable and the documents index (those
    # with no member record, or only an application, are refused: 403); a document's file is a 404 to
    # anyone who may not see the document (it is for every member here). The CAC's pages are refused
    # (403) to everyone but the CAC and the national office.
    "conference:timetable": ("programme_conference", _row(LOGIN, 403, 403, 200, 403, 403, 403, 200, cac=200)),
    "conference:documents": ("programme_conference", _row(LOGIN, 403, 403, 200, 403, 403, 403, 200, cac=200)),
    "conference:document_download": ("programme_document", _with(MEMBER_AND_OFFICE, cac=200)),
    "conference:programme_manage": ("programme_conference", CAC_AND_OFFICE),
    "conference:session_add": ("programme_conference", CAC_AND_OFFICE),
    "conference:session_edit": ("programme_session", CAC_AND_OFFICE),
    "conference:session_delete": ("programme_session", CAC_AND_OFFICE),
    # The CAC's business pages, the CAC report and the order paper (business_views); objects from
    # tests/conference/business_objects.py. Only the CAC and the national office work them (403 to others);
    # the CAC report and the order paper are a 404 to others until they are published.
    "conference:business_rules": ("business_conference", CAC_AND_OFFICE),
    "conference:business": ("business_conference", CAC_AND_OFFICE),
    "conference:rule": ("business_motion", CAC_AND_OFFICE),
    "conference:composite": ("business_conference", CAC_AND_OFFICE),
    "conference:business_order": ("business_conference", CAC_AND_OFFICE),
    "conference:business_publish": ("business_conference", CAC_AND_OFFICE),
    "conference:cac_report": ("business_conference", _with(OFFICE_ONLY_HIDDEN, cac=200)),
    "conference:order_paper": ("business_conference", _with(OFFICE_ONLY_HIDDEN, cac=200)),
    "conference:order_paper_pdf": ("business_conference", _with(OFFICE_ONLY_HIDDEN, cac=200)),
    "conference:document_add": ("programme_conference", CAC_AND_OFFICE),
    "conference:document_edit": ("programme_document", CAC_AND_OFFICE),
    "conference:document_delete": ("programme_document", CAC_AND_OFFICE),
    # Outcomes and the text as carried (conference/outcome_views.py; objects from outcome_objects.py):
    # the CAC and national office only. The policy record is for members (and those who run conference).
    "conference:outcomes": ("outcome_conference", CAC_AND_OFFICE),
    "conference:record_outcome": ("outcome_item", CAC_AND_OFFICE),
    "conference:as_carried": ("carried_motion", CAC_AND_OFFICE),
    "conference:policy": (None, _row(LOGIN, 403, 403, 200, 403, 403, 403, 200, cac=200)),
    # Members' motions (conference/motion_views.py); objects from tests/conference/motion_objects.py. Members,
    # the CAC and national office, and anyone who may propose (branch organisers; national office, which runs
    # the NC) read the motions and propose; the rest are refused (403). Only the motion's proposer (Rosa)
    # edits, withdraws and answers its amendments, and only the named seconder (Rosa) uses a seconding link.
    "conference:motions": ("motion_conference", _row(LOGIN, 403, 403, 200, 200, 200, 403, 200, cac=200)),
    "conference:motion_add": ("motion_conference", _row(LOGIN, 403, 403, 200, 200, 200, 403, 200)),
    "conference:second": ("second_token", _row(LOGIN, 403, 403, 200, 403, 403, 403, 403, secretary=403)),
    "conference:motion_detail": ("member_motion", _row(LOGIN, 403, 403, 200, 200, 200, 403, 200, cac=200)),
    "conference:motion_edit": (
        "member_motion",
        _row(LOGIN, 403, 403, 200, 403, 403, 403, 403, secretary=403),
    ),
    "conference:motion_withdraw": (
        "member_motion",
        _row(LOGIN, 403, 403, 200, 403, 403, 403, 403, secretary=403),
    ),
    "conference:amendment_add": ("member_motion", _row(LOGIN, 403, 403, 200, 200, 200, 403, 200)),
    "conference:amendment_answer": (
        "member_amendment",
        _row(LOGIN, 403, 403, 200, 403, 403, 403, 403, secretary=403),
    ),
    # Elections and nominations (conference/election_views.py, nomination_views.py); objects from
    # tests/conference/election_objects.py. The list is everyone's (it shows only what they may see); the
    # national office (and the CAC) set elections up. The EC's election by the NC is the NC's business: Rosa
    # sits on the NC, so sees it and nominates; national office sees it but is no voter (403 on nominating);
    # to anyone else it is a 404. The NC's election at a conference is for members: Rosa may see it but not
    # change it. A nominee's link needs no login; a nomination's own pages are its nominee's (Rosa's) alone.
    "conference:election_list": (None, SIGNED_IN),
    "conference:election_add": ("election_setup", CAC_AND_OFFICE),
    "conference:election_detail": ("ec_election", _with(MEMBER_AND_OFFICE, ro=200, cac=200)),
    "conference:election_edit": ("coming_election", _with(OFFICE_MEMBER_REFUSED, ro=403, cac=200)),
    "conference:nomination_add": (
        "ec_election",
        _row(LOGIN, 404, 404, 200, 404, 404, 404, 403, ro=403, cac=403),
    ),
    # The returning officer is appointed by the electing committee's secretary (here the NC's): not the
    # national office, not an NC member.
    "conference:election_returning_officer": (
        "ec_election",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=403, cac=403, secretary=200),
    ),
    "conference:nomination_respond": ("nomination_token", ANYONE),
    "conference:nomination_decline": ("nomination_token", ANYONE),
    "conference:nomination_edit": (
        "own_nomination",
        _row(LOGIN, 404, 404, 200, 404, 404, 404, 404, secretary=404),
    ),
    "conference:nomination_withdraw": (
        "own_nomination",
        _row(LOGIN, 404, 404, 200, 404, 404, 404, 404, secretary=404),
    ),
    # A candidate's request for another ballot name (tests/conference/ballot_objects.py): the returning
    # officer decides; Rosa, on the NC, sees the election but may not (403); others 404.
    "conference:nomination_ballot_name": (
        "name_request",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=200, cac=403),
    ),
    # Ballots, tellers and receipts (conference/ballot_views.py); objects from
    # tests/conference/ballot_objects.py. The Control Commission's election by the NC, voting open: Rosa sits
    # on the NC, so votes (her ballot and receipt pages); its returning officer (appointed by name) sees it
    # but votes not (403); its teller issues and enters papers and reads the reconciliation (403 on voting
    # and on the returning officer's pages). The national office sees the election but holds no power in it
    # (403), however much it may do elsewhere. Others may not see the election at all (404).
    # Receipts are the electorate's and the returning officer's (published once the result is declared).
    "conference:ballot_vote": (
        "ballot_election",
        _row(LOGIN, 404, 404, 200, 404, 404, 404, 403, ro=403, teller=403, cac=403),
    ),
    "conference:ballot_receipt": (
        "ballot_election",
        _row(LOGIN, 404, 404, 200, 404, 404, 404, 403, ro=403, teller=403, cac=403),
    ),
    "conference:ballot_receipts": (
        "ballot_election",
        _row(LOGIN, 404, 404, 200, 404, 404, 404, 200, ro=200, teller=403, cac=200),
    ),
    "conference:teller_manage": (
        "ballot_election",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=200, teller=403, cac=403),
    ),
    "conference:teller_remove": (
        "ballot_teller",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=200, teller=403, cac=403),
    ),
    "conference:teller_issue": (
        "ballot_election",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=200, teller=200, cac=403),
    ),
    "conference:teller_issue_member": (
        "ballot_issue_member",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=200, teller=200, cac=403),
    ),
    "conference:teller_enter": (
        "ballot_election",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=403, teller=200, cac=403),
    ),
    "conference:teller_reconcile": (
        "ballot_election",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=200, teller=200, cac=403),
    ),
    # The count and the result (conference/result_views.py); objects from tests/conference/result_objects.py.
    # Two elections by the NC (Rosa sits on it, so is in their electorate), with a returning officer appointed
    # by name: the count, the import and confirming are theirs alone (403 to Rosa, who sees the election, and
    # to the national office, which holds no power in an election); the
    # declared result, its count sheet and the ballots are for the electorate, candidates and officers.
    # Others may not see the elections at all (404).
    "conference:result_count": (
        "counted_election",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=200, cac=403),
    ),
    "conference:result_import": (
        "counted_election",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=200, cac=403),
    ),
    "conference:result_off_system": (
        "counted_election",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=200, cac=403),
    ),
    "conference:result_confirm": (
        "unconfirmed_count",
        _row(LOGIN, 404, 404, 403, 404, 404, 404, 403, ro=200, cac=403),
    ),
    "conference:result_detail": ("declared_election", _with(MEMBER_AND_OFFICE, ro=200, cac=200)),
    "conference:result_blt": ("declared_election", _with(MEMBER_AND_OFFICE, ro=200, cac=200)),
    "conference:result_sheet": ("declared_count", _with(MEMBER_AND_OFFICE, ro=200, cac=200)),
    "conference:result_sheet_csv": ("declared_count", _with(MEMBER_AND_OFFICE, ro=200, cac=200)),
}


def _walk(patterns: list[Any], namespace: str = "", module_hint: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            module = getattr(entry.urlconf_module, "__name__", "") or module_hint
            yield from _walk(entry.url_patterns, ns, module)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.lookup_str


def _is_external(name: str, view_path: str) -> bool:
    return name.startswith("admin:") or view_path.startswith(("allauth.", "django.contrib.admin"))


def project_url_names() -> set[str]:
    return {name for name, view in _walk(get_resolver().url_patterns) if not _is_external(name, view)}


def test_every_project_url_has_a_permission_entry():
    missing = sorted(project_url_names() - MATRIX.keys())
    assert not missing, f"URLs without a permission-matrix entry (add them to MATRIX): {missing}"


def test_the_matrix_names_no_url_that_does_not_exist():
    stale = sorted(MATRIX.keys() - project_url_names())
    assert not stale, f"MATRIX entries for URLs that no longer exist: {stale}"


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
    batch = ImportBatch.objects.create(
        uploaded_by=national_office, filename="people.csv", content="kind,email,full_name\n"
    )
    return {
        "branch": lambda: [london.slug],
        "member": lambda: [member.pk],
        "application": lambda: [applicant.pk],
        "contact": lambda: [contact.pk],
        "import_batch": lambda: [batch.pk],
        "unsubscribe_token": lambda: [make_token("sam@example.org")],
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


@pytest.fixture
def people(
    member, applicant, outsider, london_organiser, leeds_organiser, treasurer, national_office, nc_meeting
):
    return {
        "anonymous": None,
        "outsider": outsider,
        "applicant": applicant.member.user,
        "member": member.user,
        "london_organiser": london_organiser,
        "leeds_organiser": leeds_organiser,
        "treasurer": treasurer,
        "national_office": national_office,
        "returning_officer": returning_officer(),
        "teller": teller_account(TELLER_EMAIL),
        "cac": make_officer(Role.CAC, email="matrix.cac@example.org"),
        "committee_secretary": nc_secretary(member, nc_meeting.committee),
    }


def _status_differs(client: Any, url: str, user: Any, want: Any) -> str | None:
    """What ``user`` gets at ``url``, if it is not ``want``."""
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    if want == LOGIN:
        if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
            return None
        return f"{response.status_code} {response.get('Location', '')}, expected the login page"
    if response.status_code != want:
        return f"{response.status_code}, expected {want}"
    if user is not None and want == 200 and not _kept_by_nobody(response):
        return f"200 with Cache-Control {response.get('Cache-Control')!r}, expected no-store and private"
    return None


def _kept_by_nobody(response: Any) -> bool:
    """A page shown to a signed-in person is stored by no browser or proxy (issue 15)."""
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize("url_name", list(MATRIX))
def test_url_gives_the_expected_status_for_each_role(client, objects, people, url_name):
    """Every role in turn on one URL (its objects are built once): each gets what its column says."""
    kind, expected = MATRIX[url_name]
    url = reverse(url_name, args=objects[kind]() if kind else [])

    wrong = {
        role: problem
        for role in ROLES
        if (problem := _status_differs(client, url, people[role], expected[role])) is not None
    }

    assert not wrong, f"GET {url}: " + "; ".join(f"as {role}: {problem}" for role, problem in wrong.items())


CSV_URLS = [name for name in MATRIX if name.endswith("csv")]


@pytest.mark.parametrize("url_name", CSV_URLS)
def test_every_csv_export_offers_a_version_excel_reads(client, objects, people, url_name):
    """``?excel=1`` starts the file with a UTF-8 byte-order mark: Excel shows non-ASCII names (issue 15)."""
    kind, expected = MATRIX[url_name]
    url = reverse(url_name, args=objects[kind]() if kind else [])
    reader = next(role for role in ROLES if expected[role] == 200 and people[role] is not None)
    client.force_login(people[reader])

    plain, excel = client.get(url), client.get(url + "?excel=1")

    assert (plain.status_code, excel.status_code) == (200, 200)
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    assert excel.content.startswith(b"\xef\xbb\xbf")
    assert excel.content[3:].decode("utf-8") == plain.content.decode("utf-8")


def test_there_are_csv_exports_to_check():
    assert len(CSV_URLS) >= 10


def test_a_london_organiser_cannot_read_list_or_export_a_leeds_member(
    client, london_organiser, leeds, dues_rates
):
    from tests.factories import UserFactory

    leeds_member = make_member(
        leeds, user=UserFactory(email="leeds.member@example.org"), full_name="Ada Leeds"
    )
    client.force_login(london_organiser)

    detail = client.get(reverse("members:member_detail", args=[leeds_member.pk]))
    listing = client.get(reverse("members:branch_members", args=[leeds.slug]))
    export = client.get(reverse("members:branch_members_csv", args=[leeds.slug]))
    own_list = client.get(reverse("members:branch_members", args=["london"]))
    own_export = client.get(reverse("members:branch_members_csv", args=["london"]))

    assert detail.status_code == 404
    assert listing.status_code == 403
    assert export.status_code == 403
    assert "Ada Leeds" not in own_list.content.decode()
    assert "leeds.member@example.org" not in own_export.content.decode()


# The Django admin ----------------------------------------------------------------------------------
# Every model the admin shows is either personal data (a row per admin URL below, for every kind of
# visitor) or named here as holding none, with the reason; a model registered in neither fails the suite.
ADMIN_WITHOUT_PERSONAL_DATA = {
    "auth.group": "permission groups",
    "sites.site": "the site's domain",
    "members.branch": "branches: names and areas",
    "members.duesrate": "dues rates",
    "committees.committee": "committees: names, kinds and cycles",
    "committees.meeting": "meetings: times, places and links, no person",
    "committees.agendaitem": "agenda items",
    "committees.paper": "committee papers",
    "committees.decision": "decisions of the committee",
    "committees.noticedispatch": "that a meeting's notice went out: kind, version, how many recipients",
}

# Who visits the admin, and where each ends: the site's login, a refusal, the second factor's set-up or
# check, or the page.
ADMIN_VISITORS = (
    "anonymous",
    "member",  # signed in, not staff
    "staff_without_totp",  # staff with the admin's model permissions, no authenticator set up
    "staff_password_only",  # staff with TOTP set up, whose session skipped the second factor
    "staff_with_totp",  # staff whose session passed the password and the TOTP code
)
ADMIN_EXPECTED = {
    "anonymous": "login",
    "member": "refused",  # sent to the admin's door, which refuses a signed-in person who is not staff
    "staff_without_totp": "totp_setup",
    "staff_password_only": "reauthenticate",
    "staff_with_totp": 200,
}


def _admin_models() -> dict[str, Any]:
    from django.contrib import admin

    return {model._meta.label_lower: model for model in admin.site._registry}


def _personal_data_admin_urls() -> list[tuple[str, str]]:
    urls = []
    for label in sorted(_admin_models().keys() - ADMIN_WITHOUT_PERSONAL_DATA.keys()):
        app, model = label.split(".")
        urls += [(label, f"admin:{app}_{model}_changelist"), (label, f"admin:{app}_{model}_change")]
    return urls


ADMIN_URLS = _personal_data_admin_urls()


def test_every_admin_model_is_personal_data_or_named_as_none() -> None:
    stale = sorted(ADMIN_WITHOUT_PERSONAL_DATA.keys() - _admin_models().keys())
    assert not stale, f"ADMIN_WITHOUT_PERSONAL_DATA names models the admin does not show: {stale}"
    assert len(ADMIN_URLS) >= 2 * 15  # users, members, contacts, the audit trail, the outbox, terms...


@pytest.fixture
def admin_world(member, applicant, national_office, nc_meeting, london) -> Any:
    """At least one row of every personal-data model the admin shows."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group, Permission

    from awl.models import AuditEntry, OutboundMessage
    from committees.models import ActionPoint, Apology, ApologyChannel, Attendance, Minutes
    from members.models import Channel, Consent, LapseWarning

    staff = UserFactory.create(username="admin.staff", email="admin.staff@example.org", is_staff=True)
    group = Group.objects.create(name="Admin (matrix)")
    group.permissions.set(Permission.objects.all())
    staff.groups.add(group)
    totp_staff = UserFactory.create(username="admin.totp", email="admin.totp@example.org", is_staff=True)
    totp_staff.groups.add(group)
    Authenticator.objects.create(user=totp_staff, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DP"})

    contact = services.create_contact(
        actor=None,
        details={
            "full_name": "Sam Contact",
            "email": "sam@example.org",
            "branch": london,
            "how_met": "stall",
        },
    )
    Consent.objects.create(contact=contact, channel=Channel.EMAIL, granted=True, source="stall")
    ImportBatch.objects.create(uploaded_by=national_office, filename="people.csv", content="kind\n")
    EmailAddress.objects.get_or_create(user=member.user, email=member.user.email, defaults={"verified": True})
    OutboundMessage.objects.create(key="admin-matrix", to=member.user.email, subject="Notice", body_text="Hi")
    AuditEntry.objects.create(action="matrix.looked", actor=national_office)
    LapseWarning.objects.create(member=member, paid_up_to=member.dues_from)
    Apology.objects.create(meeting=nc_meeting, member=member, channel=ApologyChannel.SITE)
    Attendance.objects.create(meeting=nc_meeting, member=member, present=True)
    Minutes.objects.create(meeting=nc_meeting, text="Rosa reported on the depot dispute.")
    ActionPoint.objects.create(meeting=nc_meeting, text="Book the hall", owner=member)
    member.calendar_tokens.create()
    rows = {
        label: model._default_manager.order_by("pk").first()
        for label, model in _admin_models().items()
        if label not in ADMIN_WITHOUT_PERSONAL_DATA
    }
    missing = sorted(label for label, row in rows.items() if row is None)
    assert not missing, f"admin_world makes no row of {missing}"
    return {"rows": rows, "member": member.user, "staff": staff, "totp_staff": totp_staff}


def _where_it_ends(client: Any, url: str) -> tuple[int, str]:
    response = client.get(url, follow=True)
    return response.status_code, (response.redirect_chain[-1][0] if response.redirect_chain else url)


def _admin_visit(admin_world: dict[str, Any], who: str, url: str) -> str | None:
    """How ``who`` fares at ``url``, if not as ADMIN_EXPECTED says."""
    import time

    from django.test import Client

    client = Client()
    if who == "member":
        client.force_login(admin_world["member"])
    elif who == "staff_without_totp":
        client.force_login(admin_world["staff"])
    elif who in ("staff_password_only", "staff_with_totp"):
        user = admin_world["totp_staff"]
        client.force_login(user)
        if who == "staff_with_totp":  # as allauth leaves the session after the password and the code
            session = client.session
            now = time.time()
            session["account_authentication_methods_user"] = str(user.pk)
            session["account_authentication_methods"] = [
                {"method": "password", "at": now, "email": user.email},
                {"method": "mfa", "at": now, "id": 1, "type": "totp"},
            ]
            session.save()

    first = client.get(url)
    direct = first.status_code
    status, final = _where_it_ends(client, url)

    ok = {
        "login": direct == 302 and final.startswith(reverse("account_login")),
        "refused": direct == 302 and status == 403,
        "totp_setup": direct == 302 and "totp%2Factivate" in final,
        "reauthenticate": direct == 302 and final.startswith(reverse("mfa_reauthenticate")),
        200: direct == 200 and _kept_by_nobody(first),
    }[ADMIN_EXPECTED[who]]
    return None if ok else f"{direct}, then {status} at {final}; expected {ADMIN_EXPECTED[who]}"


@pytest.mark.parametrize(("label", "url_name"), ADMIN_URLS, ids=[url for _, url in ADMIN_URLS])
def test_admin_url_of_personal_data_for_each_visitor(admin_world, label, url_name) -> None:
    row = admin_world["rows"][label]
    url = reverse(url_name, args=[row.pk] if url_name.endswith("_change") else [])

    wrong = {
        who: problem for who in ADMIN_VISITORS if (problem := _admin_visit(admin_world, who, url)) is not None
    }

    assert not wrong, f"GET {url}: " + "; ".join(f"as {who}: {problem}" for who, problem in wrong.items())
