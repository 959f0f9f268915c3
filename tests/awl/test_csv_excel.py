"""CSV that opens in Excel (issue 15): a UTF-8 byte-order mark on request, the formula guard as ever."""

from __future__ import annotations

import csv
import io

from django.test import RequestFactory

from awl.exports import csv_download, excel_requested

NAMES = ["Zoë Ó Briain", "Łukasz Żółć", "Ἀθηνᾶ", "王秀英"]


def test_an_excel_csv_starts_with_the_bom_and_round_trips_non_ascii_names() -> None:
    response = csv_download("people", ["name"], [[name] for name in NAMES], excel=True)

    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["name"], *([name] for name in NAMES)]


def test_an_excel_csv_still_guards_against_formulas() -> None:
    response = csv_download(
        "people", ["name", "note"], [["=HYPERLINK(1)", "@SUM(A1)"], ["Zoë", -3]], excel=True
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == [["'=HYPERLINK(1)", "'@SUM(A1)"], ["Zoë", "-3"]]


def test_a_plain_csv_has_no_bom_and_an_excel_one_says_so_in_its_name() -> None:
    plain = csv_download("people", ["name"], [["Zoë"]])
    excel = csv_download("people", ["name"], [["Zoë"]], excel=True)

    assert plain.content.startswith(b"name")
    assert plain.content.decode("utf-8").splitlines() == ["name", "Zoë"]
    assert 'filename="people-excel-' in excel["Content-Disposition"]
    assert excel["Cache-Control"] == plain["Cache-Control"] == "no-store, private"


def test_excel_is_asked_for_with_excel_1_only() -> None:
    factory = RequestFactory()

    assert excel_requested(factory.get("/x.csv", {"excel": "1"}))
    assert not excel_requested(factory.get("/x.csv"))
    assert not excel_requested(factory.get("/x.csv", {"excel": "yes"}))
