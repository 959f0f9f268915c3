"""Plain rows in bulk, in the state the services make them: for the large-data tests and the bench.

Hundreds of members through the services take minutes; these make them in a few queries. The state is the
one ``members.services`` leaves: a member status with its status change and ``dues_from`` at admission
(``add_members``), and, to be paid up, one payment whose ``covers_to`` follows ``record_payment``'s rule
(``pay_up``). The bench imports them after ``django.setup()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model

from members.models import Branch, DuesBand, Member, MemberStatus, Payment, PaymentMethod, StatusChange
from members.services import monthly_rate


def add_members(
    branches: Branch | Sequence[Branch],
    count: int,
    *,
    username: str,
    email: str,
    full_name: str,
    joined: dt.date,
    password: str = "",
    reason: str = "",
) -> list[Member]:
    """``count`` members admitted on ``joined``, spread over ``branches`` in turn, with their status changes.

    ``username``, ``email`` and ``full_name`` are format strings of ``i``, the member's number from 0
    (``"bench{i}"``, ``"Bench Person {i:04d}"``); ``password`` is an already hashed one, or none.
    """
    branches = [branches] if isinstance(branches, Branch) else list(branches)
    user_model: Any = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(username=username.format(i=i), email=email.format(i=i), password=password)
        for i in range(count)
    )
    members = Member.objects.bulk_create(
        Member(
            user=user,
            full_name=full_name.format(i=i),
            branch=branches[i % len(branches)],
            status=MemberStatus.MEMBER,
            dues_band=DuesBand.WAGED,
            joined_on=joined,
            dues_from=joined,
        )
        for i, user in enumerate(users)
    )
    StatusChange.objects.bulk_create(
        StatusChange(member=m, status=MemberStatus.MEMBER, effective_on=joined, reason=reason)
        for m in members
    )
    return members


def pay_up(
    members: Sequence[Member], *, paid_on: dt.date, months: int = 24, amount: Decimal | None = None
) -> None:
    """One standing-order payment each on ``paid_on`` for ``months`` months, by default at the waged rate."""
    if amount is None:
        amount = monthly_rate(DuesBand.WAGED, paid_on) * months
    Payment.objects.bulk_create(
        Payment(
            member=m,
            paid_on=paid_on,
            amount=amount,
            method=PaymentMethod.STANDING_ORDER,
            months=months,
            covers_to=paid_on - dt.timedelta(days=1) + relativedelta(months=months),
        )
        for m in members
    )
