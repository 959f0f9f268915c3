"""The order paper bench's data and its PDF timing: ``python -m bench.order_paper``.

Run on the bench database (DATABASE_URL in the environment), this makes a
conference (``SLUG``) two months ahead with its business rules and 150
motions ruled in order and placed in debating order, with 400 amendments
spread over them (every seventh ruled out of order, every third accepted by
its mover), all in bulk, and prints ``{"slug": ...}`` on stdout. The page is
then measured by ``bench.load`` as the CAC (``bench.run``); the PDF, which
takes WeasyPrint a good part of a second, by ``pdf_seconds``: ``PDF_RENDERS``
sequential downloads, the median wall time of each (a 200 with a PDF body,
or it counts as an error).
"""

from __future__ import annotations

import datetime as dt
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
    from django.utils import timezone

    from conference.models import (
        Amendment,
        AmendmentKind,
        BusinessRules,
        Conference,
        ItemStatus,
        Motion,
        ProposerKind,
        Ruling,
    )

    now, today = timezone.now(), timezone.localdate()
    with transaction.atomic():
        conference = Conference.objects.create(
            year=YEAR,
            title=f"Bench conference {YEAR}",
            slug=SLUG,
            starts_on=today + dt.timedelta(days=60),
            ends_on=today + dt.timedelta(days=61),
            venue="Conway Hall",
            city="London",
            registration_opens_at=now - dt.timedelta(days=1),
            registration_closes_at=now + dt.timedelta(days=30),
            eligibility_cutoff=today - dt.timedelta(days=30),
        )
        BusinessRules.objects.create(
            conference=conference, motions_deadline=now, amendments_deadline=now + dt.timedelta(days=1)
        )
        text = " ".join(["Conference notes the cost of living and resolves to campaign."] * 6)
        made = Motion.objects.bulk_create(
            Motion(
                conference=conference,
                proposer_kind=ProposerKind.NC,
                status=ItemStatus.SUBMITTED,
                ruling=Ruling.IN_ORDER,
                position=n,
                title=f"Motion {n}: on the cost of living",
                text=f"{text}\n{text}",
                topic="Housing" if n % 2 else "Work",
            )
            for n in range(1, motions + 1)
        )
        Amendment.objects.bulk_create(
            Amendment(
                motion=made[n % motions],
                proposer_kind=ProposerKind.NC,
                status=ItemStatus.SUBMITTED,
                ruling=Ruling.IN_ORDER if (n + 1) % 7 else Ruling.OUT_OF_ORDER,
                ruling_reason="" if (n + 1) % 7 else "Outside the conference's competence.",
                accepted=None if n % 3 else True,
                position=n // motions + 1,
                kind=AmendmentKind.FREE_TEXT,
                free_text=f"Add at the end: and to organise in every workplace ({n}).",
            )
            for n in range(amendments)
        )
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
