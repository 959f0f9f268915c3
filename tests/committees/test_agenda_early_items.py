"""An item added before the agenda is prepared (a referral from conference) does not stop the standard
order of business from being built, and an item added to a published agenda sends it again."""

from __future__ import annotations

import datetime as dt

from awl.models import OutboundMessage
from committees import notices, services
from committees.models import AgendaSection, Committee, Meeting
from members.models import Member
from tests.helpers.clock import frozen, london_time

NOW = london_time(2026, 3, 2, 10)


def extra_meeting(nc: Committee) -> Meeting:
    starts = london_time(2026, 3, 28, 11)
    with frozen(NOW):
        return services.call_meeting(
            actor=None, committee=nc, starts_at=starts, ends_at=starts + dt.timedelta(hours=5)
        )


def test_preparing_builds_the_standard_order_around_items_already_there(
    nc: Committee, nc_members: list[Member]
) -> None:
    meeting = extra_meeting(nc)
    with frozen(NOW):
        services.add_agenda_item(actor=None, meeting=meeting, section=AgendaSection.MOTIONS, title="Referred")
        services.add_agenda_item(
            actor=None, meeting=meeting, section=AgendaSection.REPORTS, title="Treasurer"
        )
        items = services.prepare_agenda(actor=None, meeting=meeting)
        assert services.prepare_agenda(actor=None, meeting=meeting) == items  # twice changes nothing
    titles = [item.title for item in items]
    assert len(items) == len(AgendaSection) + 2
    assert titles.index("Treasurer") == titles.index("Reports") + 1
    assert titles.index("Referred") == titles.index("Motions") + 1
    assert titles[0] == "Apologies" and titles[-1] == AgendaSection.NEXT_MEETING.label


def test_an_item_added_to_a_published_agenda_sends_a_revised_agenda_once(
    nc: Committee, nc_members: list[Member]
) -> None:
    meeting = extra_meeting(nc)
    with frozen(NOW):
        services.prepare_agenda(actor=None, meeting=meeting)
        services.publish_agenda(actor=None, meeting=meeting)
    notices.sweep(NOW + dt.timedelta(minutes=1))
    agenda = OutboundMessage.objects.filter(key__startswith=f"meeting-{meeting.pk}-agenda-")
    assert agenda.count() == len(nc_members)
    with frozen(NOW + dt.timedelta(minutes=2)):
        services.add_agenda_item(  # the secretary's own edit: no new notice
            actor=None, meeting=meeting, section=AgendaSection.AOB, title="Social"
        )
        services.add_agenda_item(
            actor=None, meeting=meeting, section=AgendaSection.MOTIONS, title="Referred", renotify=True
        )
    notices.sweep(NOW + dt.timedelta(minutes=3))
    notices.sweep(NOW + dt.timedelta(minutes=4))
    assert agenda.count() == 2 * len(nc_members)
    revised = agenda.filter(key__contains="-agenda-v1-")
    assert revised.count() == len(nc_members)
    assert all(message.subject.startswith("Revised agenda") for message in revised)
