"""The sweep commands' shared shape: --now read as an ISO 8601 moment, local when it has no offset."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from awl.commands import SweepCommand, moment

LONDON = ZoneInfo("Europe/London")


class Recorder(SweepCommand):
    help = "Records the moment it swept as of."

    def sweep(self, now: dt.datetime) -> str:
        self.swept = now
        return f"swept as of {now.isoformat()}"


def test_no_now_is_the_present_moment() -> None:
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC), tick=False):
        assert moment(None) == dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC)
        assert moment("") == dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC)


def test_a_now_without_an_offset_is_london_time_and_one_with_an_offset_is_kept() -> None:
    assert moment("2027-07-01T10:00") == dt.datetime(2027, 7, 1, 10, 0, tzinfo=LONDON)
    assert moment("2027-07-01T10:00").utcoffset() == dt.timedelta(hours=1)
    assert moment("2027-07-01T10:00+00:00") == dt.datetime(2027, 7, 1, 10, 0, tzinfo=dt.UTC)


def test_a_now_that_is_not_a_date_time_is_refused_with_what_was_given() -> None:
    with pytest.raises(CommandError, match="--now must be an ISO 8601 date-time, not 'tomorrow'"):
        moment("tomorrow")


def test_the_command_sweeps_as_of_now_and_prints_the_summary() -> None:
    command, out = Recorder(), io.StringIO()

    call_command(command, "--now", "2027-01-09T11:00", stdout=out)

    assert command.swept == dt.datetime(2027, 1, 9, 11, 0, tzinfo=LONDON)
    assert out.getvalue() == "swept as of 2027-01-09T11:00:00+00:00\n"
