"""The data migration that turns the old "delete … insert …" amendments into positional ones."""

from __future__ import annotations

import importlib

import pytest

migration = importlib.import_module("conference.migrations.0006_amendments_by_position")
TEXT = (
    "Conference notes the cost of living.\nConference resolves to act.\nConference notes the cost of living."
)


@pytest.mark.parametrize(
    ("delete_text", "insert_text", "expected"),
    [
        # Only an insert: the old rule appended it at the end, so after the last line.
        ("", "More.", {"kind": "insert", "line_from": 3, "line_to": None, "insert_text": "More."}),
        # Words within a line: that line replaced, the words changed at the first match as before.
        (
            "cost of living",
            "price of bread",
            {
                "kind": "replace",
                "line_from": 1,
                "line_to": 1,
                "insert_text": "Conference notes the price of bread.",
            },
        ),
        # Whole lines deleted with nothing inserted: delete those lines.
        (
            "Conference resolves to act.\nConference notes the cost of living.",
            "",
            {"kind": "delete", "line_from": 2, "line_to": 3, "insert_text": ""},
        ),
    ],
)
def test_old_amendments_become_positional(
    delete_text: str, insert_text: str, expected: dict[str, object]
) -> None:
    assert migration.positional(TEXT, delete_text, insert_text) == expected


def test_an_old_amendment_whose_words_are_gone_is_kept_as_free_text_saying_what_it_asked() -> None:
    converted = migration.positional(TEXT, "every village", "every town")
    assert converted["kind"] == "free_text"
    assert converted["free_text"] == "Delete “every village” and insert “every town”."
