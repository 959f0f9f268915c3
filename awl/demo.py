"""Demo data from apps other than members, run by ``python manage.py seed_demo``.

The members app seeds the people; other apps add what hangs off them
without the members app importing them: each registers a seeder (in its
``AppConfig.ready``) with a cleanup. ``seed_demo`` runs the seeders in the
order they registered, after the members are in, inside its transaction;
``seed_demo --force`` runs the cleanups in reverse order before it removes
the demo people, so rows that protect a member (committee terms,
attendance) are gone first.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSeeder:
    """One app's demo data: ``seed`` returns counts for the summary line; ``cleanup`` removes it."""

    name: str
    seed: Callable[[dt.date, random.Random], dict[str, int]]
    cleanup: Callable[[], None]


_seeders: dict[str, DemoSeeder] = {}


def register_demo_seeder(
    name: str,
    seed: Callable[[dt.date, random.Random], dict[str, int]],
    cleanup: Callable[[], None],
) -> DemoSeeder:
    """Register (or, with the same name, replace) an app's demo seeder."""
    seeder = DemoSeeder(name, seed, cleanup)
    _seeders[name] = seeder
    return seeder


def demo_seeders() -> list[DemoSeeder]:
    """The seeders in the order they were registered."""
    return list(_seeders.values())
