"""Rows for the check-in desk and the CAC's pages in the permission matrix and the robustness tests.

A conference of their own (year 2091, slug ``desk-objects``), open for
registration around *now*, since those suites run at the real time, with
London members registered through the services:

* ``desk_conference``: the conference (the desk, its counts, the CAC's pages);
* ``desk_registration``: an entitled member not yet checked in, so the desk
  offers both "check in" and "check in and issue the credential"; she has
  access, dietary and crèche needs, shared, and waits for a bed;
* ``cac_hosted_guest``: a guest already given a bed by a host, who still has a
  bed free for her (so the match form has a choice);
* ``cac_duty``: a CAC member's access duty.

Someone with needs who did not consent to share them is on the lists too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conference.models import Band, CacDuty, Conference, Duty, Registration
from conference.registration import services
from members.models import Branch, Member, Role
from tests.conference.conftest import paid_up_member
from tests.factories import ConferenceFactory, make_officer

SLUG = "desk-objects"


def open_conference(slug: str = SLUG, year: int = 2091) -> Conference:
    """A conference two months ahead whose registration is open now."""
    return ConferenceFactory.create(
        year=year, slug=slug, fees={Band.WAGED: "30.00", Band.LOW_WAGED: "15.00", Band.UNWAGED: "5.00"}
    )


def register(conference: Conference, member: Member, **needs: Any) -> Registration:
    return services.register(member=member, conference=conference, fee_band=Band.WAGED, **needs)


def _build(london: Branch) -> dict[str, list[Any]]:
    conference = open_conference()
    # Not yet checked in; waiting for a bed; access, dietary and crèche needs, shared.
    arriving = register(
        conference,
        paid_up_member(london, "Desk Ada Arrival"),
        access_needs="Step-free access",
        dietary_needs="Vegan",
        children=1,
        children_ages="4",
        needs_bed=True,
        consent_share_needs=True,
    )
    host = register(
        conference, paid_up_member(london, "Desk Hana Host"), offers_beds=2, consent_share_needs=True
    )
    hosted = register(
        conference, paid_up_member(london, "Desk Gus Guest"), needs_bed=True, consent_share_needs=True
    )
    register(
        conference,
        paid_up_member(london, "Desk Pip Private"),
        access_needs="Hearing loop",
        dietary_needs="No nuts",
        consent_share_needs=False,
    )
    services.match_accommodation(actor=None, guest=hosted, host=host)
    cac = make_officer(Role.CAC, email="desk.cac@example.org")
    duty = CacDuty.objects.create(conference=conference, user=cac, duty=Duty.ACCESS)
    return {
        "desk_conference": [conference.slug],
        "desk_registration": [conference.slug, arriving.pk],
        "cac_hosted_guest": [conference.slug, hosted.pk],
        "cac_duty": [conference.slug, duty.pk],
    }


KINDS = ("desk_conference", "desk_registration", "cac_hosted_guest", "cac_duty")


def desk_objects(london: Branch) -> dict[str, Callable[[], list[Any]]]:
    """The kinds above; the rows are made the first time one is asked for (most URLs need none)."""
    made: dict[str, list[Any]] = {}

    def get(kind: str) -> list[Any]:
        if not made:
            made.update(_build(london))
        return made[kind]

    return {kind: (lambda kind=kind: get(kind)) for kind in KINDS}  # type: ignore[misc]
