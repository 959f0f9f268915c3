"""The report figures, against the autumn series of tests/dayschools/report_objects.py, worked out by hand.

Who is where (booked on 1 October; ✓ checked in on the day; W a walk-in):

1L  London, school 1, 22 Oct: Rosa ✓ (member), Dan ✓, Eve (no-show), Fay (cancelled), Gus W ✓
1S  Sheffield, school 1, 24 Oct: Ben ✓ (member), Hal W ✓ (no e-mail)
2L  London, school 2, 21 Nov, 3 places: Rosa ✓, Dan ✓, Eve ✓ (now eve@ in lower case),
    Cara (member, waiting list), Gus W ✓ (GUS@ in capitals), Ida W ✓
2D  Leeds, school 2, 22 Nov: Ben ✓, Jon ✓, Kim (cancelled), Dan ✓, Lee (no-show), Max W ✓, Ned W ✓
2M  Manchester, school 2, 22 Nov: cancelled
3L  London, school 3, 12 Dec: Rosa ✓, Cara ✓, Dan ✓, Pat ✓, Quinn ✓, Ray ✓
3D  Leeds, school 3, 13 Dec: Ben ✓, Jon ✓, Tia ✓, Sam W ✓ (no e-mail)
3S  Sheffield, school 3, 9 Jan 2027 (to come): Uma
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from dayschools import reports
from dayschools.reports import Change
from tests.dayschools.report_objects import Series3


def figures(autumn: Series3, key: str) -> dict[str, int | None]:
    f = reports.event_figures(autumn.events[key])
    return {
        "booked": f.booked,
        "waiting": f.waiting,
        "cancelled": f.cancelled,
        "attended": f.attended,
        "walk_ins": f.walk_ins,
        "no_shows": f.no_shows,
        "members": f.members,
        "non_members": f.non_members,
        "first_timers": f.first_timers,
        "returners": f.returners,
    }


# One event ---------------------------------------------------------------------------------------
def test_school_one_in_london_counts_the_cancellation_the_no_show_and_the_walk_in(autumn, on_report_day):
    assert figures(autumn, "1L") == {
        "booked": 3,  # Rosa, Dan, Eve (Fay cancelled; Gus walked in)
        "waiting": 0,
        "cancelled": 1,  # Fay
        "attended": 3,  # Rosa, Dan, Gus
        "walk_ins": 1,  # Gus
        "no_shows": 1,  # Eve
        "members": 1,  # Rosa
        "non_members": 2,  # Dan, Gus
        "first_timers": 3,  # the series' first event: everyone who came
        "returners": 0,
    }


def test_a_walk_in_without_an_e_mail_address_counts_as_a_first_timer(autumn, on_report_day):
    assert figures(autumn, "1S") == {
        "booked": 1,  # Ben
        "waiting": 0,
        "cancelled": 0,
        "attended": 2,  # Ben, Hal
        "walk_ins": 1,  # Hal
        "no_shows": 0,
        "members": 1,  # Ben
        "non_members": 1,  # Hal
        "first_timers": 2,  # Ben and Hal: nothing earlier in Sheffield or anywhere
        "returners": 0,
    }


def test_a_returner_is_matched_by_member_or_by_e_mail_in_any_case_and_a_no_show_is_no_visit(
    autumn, on_report_day
):
    assert figures(autumn, "2L") == {
        "booked": 3,  # Rosa, Dan, Eve: the 3 places (Cara waits)
        "waiting": 1,  # Cara
        "cancelled": 0,
        "attended": 5,  # Rosa, Dan, Eve, Gus, Ida
        "walk_ins": 2,  # Gus, Ida
        "no_shows": 0,
        "members": 1,  # Rosa (Cara, waiting, did not come)
        "non_members": 4,  # Dan, Eve, Gus, Ida
        # Eve booked school 1 but did not come, so this is her first time; Ida is new.
        "first_timers": 2,
        # Rosa (the same member), Dan (the same e-mail), Gus (gus@ at school 1, GUS@ now).
        "returners": 3,
    }


def test_a_returner_may_have_come_first_in_another_city(autumn, on_report_day):
    assert figures(autumn, "2D") == {
        "booked": 4,  # Ben, Jon, Dan, Lee (Kim cancelled)
        "waiting": 0,
        "cancelled": 1,  # Kim
        "attended": 5,  # Ben, Jon, Dan, Max, Ned
        "walk_ins": 2,  # Max, Ned
        "no_shows": 1,  # Lee
        "members": 1,  # Ben
        "non_members": 4,  # Jon, Dan, Max, Ned
        "first_timers": 3,  # Jon, Max, Ned
        # Ben came to school 1 in Sheffield; Dan came to school 2 in London the day before.
        "returners": 2,
    }


def test_a_member_who_only_waited_before_is_a_first_timer(autumn, on_report_day):
    assert figures(autumn, "3L") == {
        "booked": 6,
        "waiting": 0,
        "cancelled": 0,
        "attended": 6,  # all six
        "walk_ins": 0,
        "no_shows": 0,
        "members": 2,  # Rosa, Cara
        "non_members": 4,  # Dan, Pat, Quinn, Ray
        "first_timers": 4,  # Cara (only on the waiting list before), Pat, Quinn, Ray
        "returners": 2,  # Rosa, Dan
    }
    assert figures(autumn, "3D") == {
        "booked": 3,  # Ben, Jon, Tia
        "waiting": 0,
        "cancelled": 0,
        "attended": 4,  # Ben, Jon, Tia, Sam
        "walk_ins": 1,  # Sam
        "no_shows": 0,
        "members": 1,  # Ben
        "non_members": 3,  # Jon, Tia, Sam
        "first_timers": 2,  # Tia, Sam (no e-mail)
        "returners": 2,  # Ben, Jon
    }


def test_no_shows_are_not_counted_before_an_event_is_over(autumn, on_report_day):
    coming = reports.event_figures(autumn.events["3S"])
    assert (coming.booked, coming.attended, coming.no_shows) == (1, 0, None)  # Uma; 9 January


def test_the_figures_are_one_query(autumn, on_report_day, django_assert_num_queries):
    with django_assert_num_queries(1):
        reports.event_figures(autumn.events["2L"])


# A series ----------------------------------------------------------------------------------------
def _values(rows: list[reports.Compared]) -> list[tuple[int | None, tuple[int, int | None] | None, Any]]:
    def pair(change: Change | None) -> tuple[int, int | None] | None:
        return (change.diff, change.percent) if change else None

    return [(row.value, pair(row.vs_previous), pair(row.vs_first)) for row in rows]


def test_each_city_against_its_previous_and_its_first_school(autumn, on_report_day):
    report = reports.city_report(reports.series_grid(autumn.series))

    by_city = {row.city.name: row for row in report}
    assert list(by_city) == ["Leeds", "London", "Manchester", "Sheffield"]  # by name
    # London: 3, 5, 6. School 2: +2 on 3 = +66.7% → 67%. School 3: +1 on 5 = +20%, and +3 on the
    # first school's 3 = +100%: twice the number.
    assert _values(by_city["London"].schools) == [
        (3, None, None),
        (5, (2, 67), (2, 67)),
        (6, (1, 20), (3, 100)),
    ]
    assert by_city["London"].schools[2].first_words == "twice the number at school 1 in London"
    # Leeds: not at school 1; 5, then 4: -1 on 5 = -20% against both its previous and first (school 2).
    assert _values(by_city["Leeds"].schools) == [
        (None, None, None),
        (5, None, None),
        (4, (-1, -20), (-1, -20)),
    ]
    assert by_city["Leeds"].schools[2].previous_words == "1 fewer than at school 2 in Leeds"
    # Sheffield: 2 at school 1; school 3 is still to come.
    assert _values(by_city["Sheffield"].schools) == [(2, None, None), (None, None, None), (None, None, None)]
    assert [slot.state for slot in by_city["Sheffield"].slots] == ["held", "not held", "to come"]
    # Manchester: school 2 was cancelled; nothing held.
    assert [slot.state for slot in by_city["Manchester"].slots] == ["not held", "cancelled", "not held"]
    assert _values(by_city["Manchester"].schools) == [(None, None, None)] * 3


def test_each_school_across_the_cities(autumn, on_report_day):
    report = reports.school_report(reports.series_grid(autumn.series))

    # Columns: Leeds, London, Manchester, Sheffield.
    assert [[slot.attended for slot in row.slots] for row in report] == [
        [None, 3, None, 2],
        [5, 5, None, None],
        [4, 6, None, None],  # Sheffield's school 3 is to come
    ]
    # Totals 3+2 = 5, 5+5 = 10, 4+6 = 10. School 2: +5 on 5 = +100% (twice); school 3: 0 on 10,
    # +5 on the first's 5 = +100%.
    assert _values([row.total for row in report]) == [
        (5, None, None),
        (10, (5, 100), (5, 100)),
        (10, (0, 0), (5, 100)),
    ]
    assert [row.total.where for row in report] == [
        "London and Sheffield",
        "Leeds and London",
        "Leeds and London",
    ]
    assert report[1].total.first_words == "twice the number at school 1 in London and Sheffield"
    assert report[2].total.previous_words == "the same number as at school 2 in Leeds and London"


def test_each_region_against_the_first_school_held_there(autumn, on_report_day):
    report = reports.region_report(reports.series_grid(autumn.series))

    assert [(block.label, [c.name for c in block.cities]) for block in report] == [
        ("London", ["London"]),
        ("The north", ["Leeds", "Manchester", "Sheffield"]),
    ]
    london, north = report
    assert _values(london.schools) == [(3, None, None), (5, (2, 67), (2, 67)), (6, (1, 20), (3, 100))]
    # The north: school 1 only in Sheffield (2), school 2 only in Leeds (5; Manchester cancelled),
    # school 3 only in Leeds so far (4; Sheffield to come). School 2: +3 on 2 = +150%; school 3:
    # -1 on 5 = -20%, +2 on the first northern school's 2 = +100%.
    assert _values(north.schools) == [(2, None, None), (5, (3, 150), (3, 150)), (4, (-1, -20), (2, 100))]
    assert [row.where for row in north.schools] == ["Sheffield", "Leeds", "Leeds"]
    assert north.schools[2].first_words == "twice the number at school 1 in Sheffield"


def test_before_a_school_starts_its_attendance_is_not_counted(autumn):
    # On the morning of school 3 in London (12 December, 09:00) it is still to come.
    with time_machine.travel(autumn.events["3L"].starts_at.replace(hour=8), tick=False):
        grid = reports.series_grid(autumn.series)
    assert grid.slot(autumn.schools[2], autumn.cities["london"]).state == "to come"
    assert grid.held(autumn.schools[2], autumn.cities["london"]) is None


def test_the_series_grid_is_two_queries(autumn, on_report_day, django_assert_num_queries):
    with django_assert_num_queries(2):
        grid = reports.series_grid(autumn.series)
    with django_assert_num_queries(0):
        reports.city_report(grid)
        reports.school_report(grid)
        reports.region_report(grid)


# Changes in words ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("base", "value", "diff", "percent", "words"),
    [
        (10, 20, 10, 100, "twice the number at school 1"),
        (10, 30, 20, 200, "three times the number at school 1"),
        (10, 5, -5, -50, "half the number at school 1"),
        (10, 10, 0, 0, "the same number as at school 1"),
        (8, 9, 1, 13, "1 more than at school 1"),  # 12.5% rounds up to 13%
        (8, 7, -1, -13, "1 fewer than at school 1"),  # and down to -13%
        (3, 2, -1, -33, "1 fewer than at school 1"),
        (0, 4, 4, None, "4 more than at school 1"),  # no percentage of nobody
    ],
)
def test_a_change_in_numbers_and_words(base, value, diff, percent, words):
    change = Change(base, value)
    assert (change.diff, change.percent, change.against("school 1")) == (diff, percent, words)
