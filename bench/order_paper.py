"""The order paper bench's data and its PDF timing: ``python -m bench.order_paper``.

Run on the bench database (DATABASE_URL in the environment), this makes a
conference (``SLUG``) two months ahead with its business rules and 150
motions ruled in order and placed in debating order, with 400 amendments
spread over them (every seventh ruled out of order, every third accepted by
its mover), all in bulk (``bulk_business``, the builder the tests use),
and prints ``{"slug": ...}`` on stdout. The page is
then measured by ``bench.load`` as the CAC (``bench.run``); the PDF, which
takes WeasyPrint a good part of a second, by ``pdf_seconds``: ``PDF_RENDERS``
sequential downloads, the median wall time of each (a 200 with a PDF body,
or it counts as an error).
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import sys
import time
from typing import Any

from bench.load import HOST

SLUG = "bench-order-paper"
YEAR = 2098
MOTIONS = 150
AMENDMENTS = 400
PDF_RENDERS = 5
PDF_TIMEOUT = 60.0


def log(message: str) -> None:
    print(f"bench: order_paper: {message}", file=sys.stderr, flush=True)


def create_data(motions: int = MOTIONS, amendments: int = AMENDMENTS) -> dict[str, Any]:
    from django.db import transaction

    from tests.conference.business_objects import bulk_business
    from tests.factories import ConferenceFactory

    with transaction.atomic():
        conference = ConferenceFactory.create(year=YEAR, title=f"Bench conference {YEAR}", slug=SLUG)
        text = " ".join(["Conference notes the cost of living and resolves to campaign."] * 6)
        bulk_business(conference, motions, amendments, text=f"{text}\n{text}")
    log(f"{motions} motions and {amendments} amendments on the order paper of {SLUG}")
    return {"slug": SLUG}


def pdf_seconds(port: int, path: str, cookie: str, renders: int = PDF_RENDERS) -> dict[str, Any]:
    """The median seconds of ``renders`` sequential PDF downloads, and the errors."""
    took, errors = [], 0
    for _ in range(renders):
        connection = http.client.HTTPConnection(HOST, port, timeout=PDF_TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Cookie": cookie, "User-Agent": "awl-bench"})
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            continue
        finally:
            connection.close()
        if response.status == 200 and body.startswith(b"%PDF"):
            took.append(time.perf_counter() - started)
        else:
            errors += 1
    return {"pdf_seconds": statistics.median(took) if took else None, "errors": errors}


def main() -> int:
    result_stream, sys.stdout = sys.stdout, sys.stderr  # the settings log to stdout: keep it for the result
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awl.settings")
    import django

    django.setup()
    print(json.dumps(create_data()), file=result_stream, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
