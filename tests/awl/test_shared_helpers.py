"""The helpers every app shares: CSV downloads, door and desk codes, iCalendar events."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from icalendar import Calendar

from awl import ical
from awl.codes import CODE_ALPHABET, CODE_LENGTH, new_code, read_code
from awl.exports import csv_download, csv_safe


@pytest.mark.parametrize("text", ["=1+1", "+44", "-2", "@SUM(A1)", "\tx"])
def test_a_cell_that_a_spreadsheet_would_run_is_quoted(text: str) -> None:
    assert csv_safe(text) == f"'{text}"


def test_a_csv_download_keeps_whole_numbers_as_numbers_and_guards_text() -> None:
    response = csv_download("report", ["name", "change"], [["=HYPERLINK(1)", -20], [None, True]])

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["name", "change"], ["'=HYPERLINK(1)", "-20"], ["", "True"]]
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Disposition"].startswith('attachment; filename="report-')


def test_a_csv_download_keeps_exact_decimals_as_numbers() -> None:
    response = csv_download("sheet", ["transfer"], [[Decimal("-12.34567")], [Decimal("NaN")]])

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["transfer"], ["-12.34567"], ["NaN"]]


def test_codes_use_the_unambiguous_alphabet_and_are_read_however_typed() -> None:
    code = new_code()
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert read_code(f" {code[:4].lower()}-{code[4:]} ") == code
    assert read_code("O0I1O0I1") is None  # letters the alphabet leaves out
    assert read_code("ABC") is None


def test_a_cancelled_event_says_so_with_a_higher_sequence_and_a_cancel_method() -> None:
    start = dt.datetime(2027, 1, 9, 11, tzinfo=dt.UTC)
    entry = ical.event(
        uid="x@awl", start=start, end=start + dt.timedelta(hours=2), summary="NC", cancelled=True, sequence=3
    )

    calendar = Calendar.from_ical(ical.calendar([entry], product="tests", cancel=True, name="NC"))
    [event] = calendar.walk("VEVENT")
    assert (str(calendar["method"]), str(calendar["x-wr-calname"])) == ("CANCEL", "NC")
    assert (str(event["uid"]), str(event["status"]), event.decoded("sequence")) == ("x@awl", "CANCELLED", 3)
