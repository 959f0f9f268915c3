"""Charts of attendance, drawn on the server as SVG by pygal.

The SVG is an image (served at its own address, shown with ``<img alt>``) and
runs no script: pygal is given no JavaScript (``js=[]``), and the one inline
script it always writes (its tooltips' settings, read only by that JavaScript)
is taken out before the chart is sent. The chart names itself with a
``<title>`` and a ``<desc>`` for anyone who opens it on its own; on the report
page a table of the same figures stands beside it.
"""

from __future__ import annotations

import math
from typing import Any

import pygal
from pygal.style import Style

from dayschools.reports import Grid

# Okabe and Ito's palette, told apart by people with any common colour blindness; each line is also
# dashed differently.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9", "#882255")
DASHES = ("", "8, 4", "2, 4", "12, 4, 2, 4", "4, 4", "16, 4", "2, 8", "8, 8")
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
STYLE = Style(
    font_family=FONT,
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=COLOURS,
    title_font_size=20,
    legend_font_size=16,
    label_font_size=14,
    major_label_font_size=14,
)
# pygal draws its lines 1px wide (and faded) until a pointer hovers over them: draw them firm and wide.
LINE_CSS = "inline:.series .line.reactive{stroke-width:3px !important;stroke-opacity:1 !important}"
TITLE_ID = "chart-title"
DESC_ID = "chart-desc"


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _accessible(title: str, description: str) -> Any:
    """An XML filter: no script; the root is an image named by its title and described by its desc."""

    def apply(root: Any) -> Any:
        for parent in list(root.iter()):
            for child in list(parent):
                if _local(child.tag) == "script":
                    parent.remove(child)
        for child in root:
            if _local(child.tag) == "title":
                child.text = title
                child.set("id", TITLE_ID)
                desc = child.makeelement("desc", {"id": DESC_ID})
                desc.text = description
                root.insert(list(root).index(child) + 1, desc)
                break
        root.set("role", "img")
        root.set("aria-labelledby", f"{TITLE_ID} {DESC_ID}")
        return root

    return apply


def _y_labels(highest: int) -> list[int]:
    """Whole numbers of people on the axis, about eight steps up to just past the highest."""
    step = max(1, math.ceil(highest / 8))
    return list(range(0, highest + step + 1, step))


def chart_title(grid: Grid) -> str:
    return f"Attendance by city: {grid.series.title} ({grid.series.season})"


def chart_description(grid: Grid) -> str:
    cities = ", ".join(city.name for city in grid.cities) or "no city yet"
    return (
        f"Line chart of how many people came to each school of the series, one line per city "
        f"({cities}). A gap is a school not held in that city, cancelled or still to come. "
        f"The same figures are in the table beside the chart."
    )


def city_attendance_svg(grid: Grid) -> bytes:
    """Attendance at each school of the series, one line per city."""
    values = [grid.held(school, city) for city in grid.cities for school in grid.schools]
    highest = max((value for value in values if value is not None), default=0)
    title = chart_title(grid)
    chart = pygal.Line(
        js=[],
        style=STYLE,
        css=[*pygal.Config().css, LINE_CSS],
        title=title,
        x_title="School",
        y_title="People who came",
        x_labels=[f"School {school.number}" for school in grid.schools],
        y_labels=_y_labels(highest),
        value_formatter=lambda value: f"{value:.0f}",
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(4, max(1, len(grid.cities))),
        truncate_legend=-1,
        truncate_label=-1,
        allow_interruptions=True,
        dots_size=5,
        stroke_style={"width": "3px"},
        no_data_text="No school held yet",
        width=800,
        height=450,
    )
    for index, city in enumerate(grid.cities):
        dash = DASHES[index % len(DASHES)]
        chart.add(
            city.name,
            [grid.held(school, city) for school in grid.schools],
            stroke_style={"width": "3px", "dasharray": dash} if dash else {"width": "3px"},
        )
    chart.add_xml_filter(_accessible(title, chart_description(grid)))
    svg: bytes = chart.render()
    return svg
