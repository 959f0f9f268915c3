"""Top London branch up to a fixed number of members, in bulk (``python -m bench.topup 500``).

Run after ``seed_demo`` on the benchmark database. Plain rows for speed (``tests.helpers.bulk``), in
the state the services make (as ``tests/members/test_branch_list.py`` does):
a member status with its status change, ``dues_from`` at admission, and one
payment at the band's rate whose ``covers_to`` follows
``services.record_payment``'s rule.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

import django


def top_up(slug: str, target: int) -> int:
    """Add paid-up members to the branch until it has ``target``; returns how many were added."""
    from django.db import transaction
    from django.utils import timezone

    from members.models import Branch, Member
    from tests.helpers.bulk import add_members, pay_up

    branch = Branch.objects.get(slug=slug)
    missing = target - Member.objects.not_erased().filter(branch=branch).count()
    if missing <= 0:
        return 0
    joined = timezone.localdate() - dt.timedelta(days=365)
    with transaction.atomic():
        members = add_members(
            branch,
            missing,
            username="bench{i}",
            email="bench{i}@bench.awl.example",
            full_name="Bench Person {i:04d}",
            joined=joined,
            reason="Benchmark data",
        )
        pay_up(members, paid_on=joined)
    return missing


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awl.settings")
    django.setup()
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    added = top_up("london", target)
    print(f"bench: added {added} London members (now {target})", file=sys.stderr)
