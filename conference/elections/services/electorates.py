"""A committee election's electorate, fixed when voting opens.

The members of the electing committee may change while an election is
open: someone's term ends, someone is co-opted. Standing orders fix who
votes at the moment voting opens, so the electorate is written down then,
once: a ``FrozenElectorate`` row and one ``ElectionElector`` row per member
of the committee on the day voting opened (terms run by the day, so a term
starting that day counts). From then on the electorate is that list, and
nothing that happens to the committee during voting changes it.

It is written by whichever comes first: the periodic sweep at opening
(``freeze_due``, run by Celery beat every minute), or the first reader
after ``voting_opens_at`` (``frozen_members``, called by
``elections.electorate``). The writer holds a transaction-scoped lock on
the election (a PostgreSQL advisory lock keyed by the election's id, taken
with ``pg_try_advisory_xact_lock``), and the ``FrozenElectorate`` row's
one-to-one key on the election makes two writers one whatever happens.
A reader that finds the lock held does not wait: it reads the committee's
members on the opening day, which is what the writer is writing. Waiting
would be wrong here: the first reader is often a voter whose transaction
holds the election ``FOR SHARE`` against the count (``ballots``), and a
``SELECT ... FOR UPDATE`` on the election there would deadlock two voters,
while waiting on another voter's uncommitted row would queue every voter
behind the first.

The record keeps no trace of who read first or when: ``frozen_at`` is the
moment voting opened, and no audit entry is written, because the first
reader may be a voter casting (``test_casting_writes_no_audit_entry_that_
could_time_the_vote``). The row itself, with its day and its size, is the
record.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from committees.services import current_members
from conference.elections.models import Election, ElectionElector, FrozenElectorate
from members.models import Member


def opening_day(election: Election) -> dt.date:
    """The day (Europe/London) voting opened: whose committee members the electorate is."""
    return timezone.localtime(election.voting_opens_at).date()


# The advisory lock's namespace (its first key): "electorate" on a phone keypad, so it meets no other.
_LOCK_NAMESPACE = 35328672


def _try_lock(election: Election) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, election.pk])
        return bool(cursor.fetchone()[0])


def freeze(election: Election) -> FrozenElectorate | None:
    """Write the election's electorate down if voting has opened and it is not written yet.

    ``None`` for an election held at a conference (its electorate is the conference's register), one
    whose voting has not opened, or when another transaction is writing it right now. Safe to call any
    number of times, from any number of processes at once.
    """
    committee = election.electing_committee
    if committee is None or timezone.now() < election.voting_opens_at:
        return None
    existing = FrozenElectorate.objects.filter(election=election).first()
    if existing is not None:
        return existing
    day = opening_day(election)
    with transaction.atomic():
        if not _try_lock(election):
            return None
        try:
            with transaction.atomic():
                frozen = FrozenElectorate.objects.create(
                    election=election, frozen_at=election.voting_opens_at, on=day, size=0
                )
        except IntegrityError:  # written and committed since we looked
            return FrozenElectorate.objects.get(election=election)
        ids = list(current_members(committee, day).values_list("pk", flat=True))
        ElectionElector.objects.bulk_create(ElectionElector(election=election, member_id=pk) for pk in ids)
        frozen.size = len(ids)
        frozen.save(update_fields=["size"])
    return frozen


def frozen_members(election: Election) -> QuerySet[Member] | None:
    """The frozen electorate (written now if due), by name; ``None`` before voting opens."""
    if election.electing_committee is None or timezone.now() < election.voting_opens_at:
        return None
    if freeze(election) is None:  # another transaction is writing it: the same members, read live
        return current_members(election.electing_committee, opening_day(election))
    return (
        Member.objects.filter(
            pk__in=ElectionElector.objects.filter(election=election).values("member_id"),
            erased_at__isnull=True,
        )
        .select_related("user")
        .order_by("full_name")
    )


def freeze_due(now: dt.datetime | None = None) -> int:
    """The sweep: freeze every committee election whose voting has opened and is not yet fixed."""
    now = now or timezone.now()
    due = Election.objects.filter(
        electing_committee__isnull=False, voting_opens_at__lte=now, frozen_electorate__isnull=True
    ).select_related("electing_committee")
    frozen = 0
    for election in due:
        if freeze(election) is not None:
            frozen += 1
    return frozen
