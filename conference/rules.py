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
CHOOSE_DELEGATES = "conference.choose_delegates"
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


@rules.predicate
def organises_branch(user: Any, branch: Any) -> bool:
    return branch is not None and roles.has_role(user, Role.BRANCH_ORGANISER, branch_id=branch.pk)


# A branch's delegates are chosen by the branch, through its organiser, or recorded by the CAC (the
# object is the branch). The national office, as such, chooses nobody's delegates.
rules.add_perm(CHOOSE_DELEGATES, is_cac | organises_branch)

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

# Motions and amendments (conference.business): one awaiting its seconder is not yet conference business,
# so only its proposer (who submitted it), its named seconder and those who run conference see it.
READ_PROPOSAL = "conference.read_proposal"


@rules.predicate
def seconded_or_own(user: Any, item: Any) -> bool:
    if item is None:
        return False
    if item.status != "awaiting_seconder":
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    seconder = item.seconder
    return item.submitted_by_id == user.pk or (seconder is not None and seconder.user_id == user.pk)


rules.add_perm(READ_PROPOSAL, seconded_or_own | run)

# Two-factor (issue 14) ------------------------------------------------------------------------------------
# Who holds a conference power that a role does not show: a returning officer and a teller (appointed to one
# election by name), and a CAC member's duty (needs data). They must use TOTP (registered in apps.py).
#
# When does an election appointment stop needing it? When it stops giving power. The rules above do not end
# it when the result is confirmed: the returning officer still reads every count and the tellers' pages, and
# a teller still searches the electorate (members' names) on the issue page, so every appointment counts,
# whatever the election's state. Should the election rules come to end those powers at confirmation, narrow
# the query below to elections not yet confirmed (``confirmed_at__isnull=True``), and no further.
#
# A CAC duty gives nothing without the CAC role (``has_duty``), and the role already needs TOTP; a duty is
# counted here too, so that a duty recorded for someone keeps asking for TOTP whatever becomes of the role.


@rules.predicate
def holds_conference_office(user: Any) -> bool:
    """CAC, a CAC duty, or a returning officer's or teller's appointment: at most one query, kept on the
    user for the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    if roles.has_role(user, Role.CAC):
        return True
    cached = getattr(user, "_awl_conference_office", None)  # getattr, not __dict__: request.user is lazy
    if cached is None:
        from django.contrib.auth import get_user_model
        from django.db.models import Exists, OuterRef, Q

        from conference.elections.models import Election
        from conference.registration.models import CacDuty

        user_model = get_user_model()
        appointed = Election.objects.filter(
            Q(returning_officer_id=OuterRef("pk")) | Q(tellers__user_id=OuterRef("pk"))
        )
        cached = (
            user_model._default_manager.filter(pk=user.pk)
            .filter(Exists(appointed) | Exists(CacDuty.objects.filter(user_id=OuterRef("pk"))))
            .exists()
        )
        user._awl_conference_office = cached
    return bool(cached)


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
