"""Object permissions for the conference, in one place; anything not granted is denied.

The conference arrangements committee (members.Role.CAC) runs registration,
exceptions, invitations, the timetable and documents, and reads the
registration reports. Needs and accommodation data are shown only to CAC
members holding the matching duty for that conference (conference.CacDuty),
and to national office. Treasurers (any branch) and national office record
registration payments.
"""

from __future__ import annotations

from typing import Any

import rules

from committees.rules import is_secretary
from members import roles
from members.models import Role

# The permission names, defined here once: services, selectors and views import them.
RUN = "conference.run"
RECORD_PAYMENT = "conference.record_payment"
CHECK_IN = "conference.check_in"
VIEW_ACCESS_NEEDS = "conference.view_access_needs"
VIEW_DIETARY_NEEDS = "conference.view_dietary_needs"
VIEW_CRECHE = "conference.view_creche"
VIEW_ACCOMMODATION = "conference.view_accommodation"
ASSIGN_DUTIES = "conference.assign_duties"
SET_UP_ELECTION = "conference.set_up_election"
RETURN_ELECTION = "conference.return_election"
ENTER_PAPER_BALLOTS = "conference.enter_paper_ballots"
APPOINT_RETURNING_OFFICER = "conference.appoint_returning_officer"


@rules.predicate
def is_national_office(user: Any) -> bool:
    return roles.is_national_office(user)


@rules.predicate
def is_cac(user: Any) -> bool:
    return roles.has_role(user, Role.CAC)


@rules.predicate
def is_treasurer(user: Any) -> bool:
    return roles.has_role(user, Role.BRANCH_TREASURER)


def _duties(user: Any, conference: Any) -> set[str]:
    if conference is None or not getattr(user, "is_authenticated", False):
        return set()
    cache = user.__dict__.setdefault("_awl_cac_duties", {})
    if conference.pk not in cache:
        cache[conference.pk] = set(
            user.cac_duties.filter(conference=conference).values_list("duty", flat=True)
        )
    return cache[conference.pk]


def has_duty(duty: str) -> Any:
    @rules.predicate(name=f"has_duty_{duty}")
    def predicate(user: Any, conference: Any) -> bool:
        return is_cac(user) and duty in _duties(user, conference)

    return predicate


run = is_national_office | is_cac
rules.add_perm(RUN, run)
rules.add_perm(RECORD_PAYMENT, is_national_office | is_treasurer)
rules.add_perm(CHECK_IN, is_national_office | has_duty("desk") | is_cac)
rules.add_perm(VIEW_ACCESS_NEEDS, is_national_office | has_duty("access"))
rules.add_perm(VIEW_DIETARY_NEEDS, is_national_office | has_duty("diet"))
rules.add_perm(VIEW_CRECHE, is_national_office | has_duty("creche"))
rules.add_perm(VIEW_ACCOMMODATION, is_national_office | has_duty("accommodation"))
# Who handles which needs is decided by the national office, so no CAC member can hand themselves a duty.
rules.add_perm(ASSIGN_DUTIES, is_national_office)

# Elections (conference.elections): the national office or the CAC sets one up; its returning
# officer runs it (tellers, the count, confirming the result); its tellers enter paper ballots.


@rules.predicate
def is_returning_officer(user: Any, election: Any) -> bool:
    return election is not None and user.is_authenticated and election.returning_officer_id == user.pk


@rules.predicate
def is_teller(user: Any, election: Any) -> bool:
    if election is None or not user.is_authenticated:
        return False
    return election.tellers.filter(user_id=user.pk).exists()


rules.add_perm(SET_UP_ELECTION, run)
rules.add_perm(RETURN_ELECTION, is_returning_officer)
rules.add_perm(ENTER_PAPER_BALLOTS, is_teller)


@rules.predicate
def appoints_returning_officer(user: Any, election: Any) -> bool:
    """The CAC for an election at a conference; the electing committee's secretary for a committee's.

    Nobody else, whatever their office: the national office sets elections up but appoints nobody.
    """
    if election is None or not getattr(user, "is_authenticated", False):
        return False
    if election.conference_id is not None:
        return bool(is_cac(user))
    committee = election.electing_committee
    return committee is not None and bool(is_secretary(user, committee))


rules.add_perm(APPOINT_RETURNING_OFFICER, appoints_returning_officer)
