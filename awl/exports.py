"""CSV downloads, written once: every export in every app goes through ``csv_download``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# A cell starting with one of these is a formula to a spreadsheet program.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """The value as text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


def _cell(value: Any) -> Any:
    # Numbers stay numbers (a spreadsheet reads -20 or -0.5 as minus twenty or a half: exact decimals such
    # as a count's votes are numbers too); everything else is guarded text.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        return value
    return csv_safe(value)


# Excel reads a CSV as the machine's legacy code page unless the file starts with a byte-order mark:
# "Zoë Ó Briain" becomes "ZoÃ« Ã“ Briain". With the mark it reads UTF-8; other programs skip it.
EXCEL_BOM = "\ufeff"


def excel_requested(request: HttpRequest) -> bool:
    """Whether the download was asked for as ``?excel=1`` (a CSV that Excel opens correctly)."""
    return request.GET.get("excel") == "1"


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, excel: bool = False
) -> HttpResponse:
    """The rows as a dated CSV attachment, never cached; text cells are kept from being formulas.

    With ``excel``, the body starts with a UTF-8 byte-order mark, so that Excel reads non-ASCII
    names as UTF-8 (``utf-8-sig`` decodes it; the formula guard applies all the same).
    """
    buffer = io.StringIO()
    if excel:
        buffer.write(EXCEL_BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_cell(cell) for cell in row] for row in rows)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    stem = f"{filename}-excel" if excel else filename
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store, private"
    return response
