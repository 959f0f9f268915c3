"""The areas' demo data after the people, in order: what ``python manage.py seed_demo`` runs.

``seed_demo`` seeds the people (``demo.members``) and then runs the
seeders in the order they registered (``DemoConfig.ready``), inside its
transaction; ``seed_demo --force`` runs the cleanups in reverse order
before it removes the demo people, so rows that protect a member
(committee terms, attendance) are gone first.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSeeder:
    """One area's demo data: ``seed`` returns counts for the summary line; ``cleanup`` removes it."""

    name: str
    seed: Callable[[dt.date, random.Random], dict[str, int]]
    cleanup: Callable[[], None]


_seeders: dict[str, DemoSeeder] = {}


def register_demo_seeder(
    name: str,
    seed: Callable[[dt.date, random.Random], dict[str, int]],
    cleanup: Callable[[], None],
) -> DemoSeeder:
    """Register (or, with the same name, replace) an area's demo seeder."""
    seeder = DemoSeeder(name, seed, cleanup)
    _seeders[name] = seeder
    return seeder


def demo_seeders() -> list[DemoSeeder]:
    """The seeders in the order they were registered."""
    return list(_seeders.values())
