"""The reminder the day before, through the outbox: to confirmed and waiting people, once each.

The London event starts at 10:00 on 22 October 2026; its reminders fall due
from 10:00 on the 21st. Bookings are taken on 1 October (``booking_time``).
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from awl.celery import app
from awl.models import OutboundMessage
from dayschools import mail, services, tasks
from dayschools.models import Booking, Event, EventStatus
from tests.helpers.clock import london_time

DUE = london_time(2026, 10, 21, 10)


def reminders() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(key__contains="-reminder-").order_by("to"))


def sweep(at: dt.datetime) -> dict[str, int]:
    with time_machine.travel(at, tick=False):
        return mail.queue_reminders()


@pytest.fixture
def booked(london_event: Event, booking_time) -> dict[str, Booking]:
    """One place: Ann has it, Bea waits, Cal waited and cancelled."""
    london_event.capacity = 1
    london_event.save(update_fields=["capacity"])
    made = {
        name: services.book_guest(event=london_event, name=name.title(), email=f"{name}@example.org")
        for name in ("ann", "bea", "cal")
    }
    services.cancel_booking(booking=made["cal"])
    return made


def test_reminders_go_the_day_before_to_confirmed_and_waiting_people_once(booked: dict[str, Booking]) -> None:
    assert sweep(DUE - dt.timedelta(minutes=1)) == {"due": 0, "queued": 0}

    assert sweep(DUE) == {"due": 2, "queued": 2}
    assert sweep(DUE + dt.timedelta(minutes=15)) == {"due": 2, "queued": 0}
    assert sweep(DUE + dt.timedelta(hours=23)) == {"due": 2, "queued": 0}

    ann, bea = reminders()
    assert (ann.to, bea.to) == ("ann@example.org", "bea@example.org")
    assert ann.subject == "Tomorrow: What is capitalism?, London, 22 October"
    assert "the day school is tomorrow, and your place is booked" in ann.body_text
    assert booked["ann"].code in ann.body_text
    assert "You are still on the waiting list, number 1" in bea.body_text


def test_cancelled_bookings_get_no_reminder(booked: dict[str, Booking]) -> None:
    sweep(DUE)

    assert "cal@example.org" not in [message.to for message in reminders()]


def test_no_reminder_once_the_event_has_begun(booked: dict[str, Booking]) -> None:
    assert sweep(london_time(2026, 10, 22, 10, 1)) == {"due": 0, "queued": 0}
    assert sweep(london_time(2026, 10, 23, 10)) == {"due": 0, "queued": 0}
    assert reminders() == []


def test_no_reminder_for_a_cancelled_event(booked: dict[str, Booking], london_event: Event) -> None:
    Event.objects.filter(pk=london_event.pk).update(status=EventStatus.CANCELLED)

    assert sweep(DUE) == {"due": 0, "queued": 0}


def test_a_booking_taken_within_the_day_before_is_not_reminded(london_event: Event) -> None:
    with time_machine.travel(DUE + dt.timedelta(hours=2), tick=False):
        late = services.book_guest(event=london_event, name="Late", email="late@example.org")
        assert mail.queue_reminders() == {"due": 0, "queued": 0}
    assert OutboundMessage.objects.filter(key=f"dayschool-booking-{late.pk}-confirmation").exists()


def test_an_event_moved_to_another_day_is_reminded_again(
    booked: dict[str, Booking], london_event: Event
) -> None:
    sweep(DUE)
    Event.objects.filter(pk=london_event.pk).update(
        starts_at=london_time(2026, 10, 24, 10), ends_at=london_time(2026, 10, 24, 16)
    )

    assert sweep(london_time(2026, 10, 23, 10)) == {"due": 2, "queued": 2}
    assert len(reminders()) == 4


def test_the_command_sweeps_as_of_the_time_given(booked: dict[str, Booking]) -> None:
    out = StringIO()

    call_command("send_dayschool_reminders", "--now", "2026-10-21T10:00:00+01:00", stdout=out)

    assert out.getvalue().strip() == "2 bookings due a reminder: 2 messages queued"
    assert len(reminders()) == 2


def test_the_command_refuses_a_time_it_cannot_read(booked: dict[str, Booking]) -> None:
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("send_dayschool_reminders", "--now", "tomorrow morning")
    assert reminders() == []


def test_the_celery_task_runs_the_sweep(booked: dict[str, Booking]) -> None:
    with time_machine.travel(DUE, tick=False):
        # The eager result's value, not .get(): .get() refuses to run wherever Celery believes it is
        # inside a worker, which a test earlier in the same process can leave it believing.
        outcome = tasks.send_dayschool_reminders.apply()

    assert outcome.successful(), outcome.traceback
    assert outcome.result == {"due": 2, "queued": 2}


def test_beat_runs_the_sweep_on_an_interval() -> None:
    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == tasks.send_dayschool_reminders.name]

    assert isinstance(entry["schedule"], dt.timedelta)
    assert entry["schedule"] <= dt.timedelta(hours=1)
