"""The one rule for London times across both clock changes (awl.timezones), in every form that reads them.

2027: the clocks go forward at 01:00 GMT on Sunday 28 March (01:00-02:00 does not happen) and back at
02:00 BST on Sunday 31 October (01:00-02:00 happens twice). Nothing here reads today's date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError

from awl.forms import LondonDateTimeField
from awl.timezones import london_datetime, london_moment

UTC = dt.UTC
SPRING = dt.date(2027, 3, 28)
AUTUMN = dt.date(2027, 10, 31)


class WindowForm(forms.Form):
    opens_at = LondonDateTimeField()


def _utc(moment: dt.datetime) -> dt.datetime:
    # A London time in the repeated hour is never == a moment in another zone (PEP 495), even the
    # same instant, so the tests compare instants in UTC.
    return moment.astimezone(UTC)


def _read(value: str) -> dt.datetime:
    form = WindowForm({"opens_at": value})
    assert form.is_valid(), form.errors
    return _utc(form.cleaned_data["opens_at"])


def _refusal(value: str) -> list[str]:
    form = WindowForm({"opens_at": value})
    assert not form.is_valid()
    return [str(message) for message in form.errors["opens_at"]]


# Autumn: a repeated time takes its first reading, British Summer Time ---------------------------------
@pytest.mark.parametrize(
    ("time", "utc"),
    [
        (dt.time(0, 59), dt.datetime(2027, 10, 30, 23, 59, tzinfo=UTC)),  # BST, before the hour repeats
        (dt.time(1, 0), dt.datetime(2027, 10, 31, 0, 0, tzinfo=UTC)),  # first reading of 01:00
        (dt.time(1, 30), dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),  # not 01:30 UTC
        (dt.time(1, 59), dt.datetime(2027, 10, 31, 0, 59, tzinfo=UTC)),
        (dt.time(2, 0), dt.datetime(2027, 10, 31, 2, 0, tzinfo=UTC)),  # GMT from here on
    ],
)
def test_a_time_in_the_hour_the_clocks_repeat_is_read_as_summer_time(time: dt.time, utc: dt.datetime) -> None:
    assert _utc(london_moment(AUTUMN, time)) == utc
    assert _read(f"{AUTUMN.isoformat()}T{time:%H:%M}") == utc


def test_the_field_and_london_moment_agree_on_every_minute_of_both_nights() -> None:
    for day in (SPRING, AUTUMN):
        for minute in range(0, 4 * 60):
            time = dt.time(minute // 60, minute % 60)
            typed = f"{day.isoformat()}T{time:%H:%M}"
            try:
                expected = london_moment(day, time)
            except ValidationError as exc:
                assert _refusal(typed) == exc.messages
            else:
                assert _read(typed) == _utc(expected)


# Spring: a time the clocks skip is refused, by name ----------------------------------------------------
@pytest.mark.parametrize("time", [dt.time(1, 0), dt.time(1, 30), dt.time(1, 59)])
def test_a_time_the_clocks_skip_is_refused_with_an_error_naming_it(time: dt.time) -> None:
    message = f"{time:%H:%M} does not exist in London on 28 March 2027: the clocks go forward."

    with pytest.raises(ValidationError) as refused:
        london_moment(SPRING, time)
    assert refused.value.messages == [message]
    assert refused.value.code == "skipped"

    assert _refusal(f"2027-03-28T{time:%H:%M}") == [message]


@pytest.mark.parametrize(
    ("time", "utc"),
    [
        (dt.time(0, 59), dt.datetime(2027, 3, 28, 0, 59, tzinfo=UTC)),  # GMT
        (dt.time(2, 0), dt.datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),  # BST, the first minute after the gap
    ],
)
def test_the_times_either_side_of_the_skipped_hour_are_accepted(time: dt.time, utc: dt.datetime) -> None:
    assert _utc(london_moment(SPRING, time)) == utc
    assert _read(f"2027-03-28T{time:%H:%M}") == utc


# Ordinary days, and what the field was already given ------------------------------------------------------
def test_an_ordinary_winter_and_summer_time_is_read_in_london() -> None:
    assert _utc(london_moment(dt.date(2027, 1, 15), dt.time(9))) == dt.datetime(2027, 1, 15, 9, tzinfo=UTC)
    assert _read("2027-07-15T09:00") == dt.datetime(2027, 7, 15, 8, tzinfo=UTC)
    assert _read("2027-07-15 09:00:00") == dt.datetime(2027, 7, 15, 8, tzinfo=UTC)


def test_a_time_with_its_own_offset_keeps_it_and_an_aware_moment_is_left_alone() -> None:
    assert _read("2027-10-31T01:30+00:00") == dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    second_reading = dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert london_datetime(second_reading) is second_reading


@pytest.mark.parametrize("value", ["", "not a date", "2027-02-30T10:00", "2027-03-28T25:00"])
def test_nonsense_is_refused_or_empty_as_django_does(value: str) -> None:
    form = WindowForm({"opens_at": value})
    assert not form.is_valid()
    assert form.errors["opens_at"][0] in {"This field is required.", "Enter a valid date/time."}


def test_a_date_check_sees_the_london_date() -> None:
    seen: list[dt.date] = []

    class CheckedForm(forms.Form):
        opens_at = LondonDateTimeField(check_date=seen.append)

    # 00:30 BST on 1 April is still 31 March in UTC; the check is given London's date.
    form = CheckedForm({"opens_at": "2027-04-01T00:30"})
    assert form.is_valid(), form.errors
    assert seen == [dt.date(2027, 4, 1)]
