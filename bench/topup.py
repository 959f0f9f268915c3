"""Top London branch up to a fixed number of members, in bulk (``python -m bench.topup 500``).

Run after ``seed_demo`` on the benchmark database. Plain rows for speed, in
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
    from dateutil.relativedelta import relativedelta
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from members.models import Branch, DuesBand, Member, MemberStatus, Payment, PaymentMethod, StatusChange
    from members.services import monthly_rate

    user_model = get_user_model()
    branch = Branch.objects.get(slug=slug)
    missing = target - Member.objects.not_erased().filter(branch=branch).count()
    if missing <= 0:
        return 0
    today = timezone.localdate()
    joined = today - dt.timedelta(days=365)
    months = 24
    amount = monthly_rate(DuesBand.WAGED, joined) * months
    with transaction.atomic():
        users = user_model.objects.bulk_create(
            user_model(username=f"bench{i}", email=f"bench{i}@bench.awl.example") for i in range(missing)
        )
        members = Member.objects.bulk_create(
            Member(
                user=user,
                full_name=f"Bench Person {i:04d}",
                branch=branch,
                status=MemberStatus.MEMBER,
                dues_band=DuesBand.WAGED,
                joined_on=joined,
                dues_from=joined,
            )
            for i, user in enumerate(users)
        )
        StatusChange.objects.bulk_create(
            StatusChange(member=m, status=MemberStatus.MEMBER, effective_on=joined, reason="Benchmark data")
            for m in members
        )
        Payment.objects.bulk_create(
            Payment(
                member=m,
                paid_on=joined,
                amount=amount,
                method=PaymentMethod.STANDING_ORDER,
                months=months,
                covers_to=joined - dt.timedelta(days=1) + relativedelta(months=months),
            )
            for m in members
        )
    return missing


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awl.settings")
    django.setup()
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    added = top_up("london", target)
    print(f"bench: added {added} London members (now {target})", file=sys.stderr)
