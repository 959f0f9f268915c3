"""Load believable demo data: the people, then the committees, day schools, conference and elections.

Run once on an empty database (``make run`` does). A second run refuses
politely unless ``--force``, which first removes what an earlier run made
(every account at awl.example and what hangs off it) and loads it again.
``--logins-only`` prints the demo logins and touches nothing.

The people come first (``demo.members``); then each area's seeder in the
order ``demo.apps`` registered them (``demo.registry``), all in one
transaction. On ``--force`` the areas' cleanups run first, last registered
first, since their rows (terms of office, attendance) protect the members.
"""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from awl.audit import log_action
from demo import members
from demo.registry import demo_seeders


def refresh_planner_statistics() -> None:
    """ANALYZE, as after any bulk load: the rows just written are counted, this transaction's own included.

    Without it the planner may still believe the tables empty (their statistics taken before the load),
    plan each lookup as a loop over whole tables, and take minutes over the seeding that follows.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class Command(BaseCommand):
    help = "Load believable demo data (branches, members with dues histories, officers, contacts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Remove the demo people an earlier run made, then load again.",
        )
        parser.add_argument(
            "--logins-only", action="store_true", help="Print the demo logins and change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins_only"]:
            self.print_logins()
            return
        if members.exists() and not options["force"]:
            self.stdout.write("Demo data already exists; nothing loaded (use --force to load it again).")
            self.print_logins()
            return
        started = timezone.now()
        with transaction.atomic():
            if options["force"]:
                self.remove_demo_data()
            # A seeded generator, so every run makes the same people; nothing here is a secret.
            today = timezone.localdate()
            counts = members.seed(today, random.Random(members.SEED))  # noqa: S311
            for seeder in demo_seeders():
                refresh_planner_statistics()
                counts |= seeder.seed(today, random.Random(f"{members.SEED}:{seeder.name}"))  # noqa: S311
            log_action(actor=None, action="demo.seeded", detail=counts)
        seconds = (timezone.now() - started).total_seconds()
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {seconds:.1f} s: {summary}."))
        self.print_logins()

    def remove_demo_data(self) -> None:
        # The areas' demo rows first, last registered first: some protect the members from deletion.
        for seeder in reversed(demo_seeders()):
            seeder.cleanup()
        members.cleanup()

    def print_logins(self) -> None:
        logins = members.LOGINS
        width = max(len(login.email) for login in logins)
        rule = f"  {'-' * width}  {'-' * max(len(login.who) for login in logins)}"
        self.stdout.write(f"\nDemo logins (password for all: {members.DEMO_PASSWORD})\n")
        self.stdout.write(f"  {'E-mail':<{width}}  Who")
        self.stdout.write(rule)
        for login in logins:
            self.stdout.write(f"  {login.email:<{width}}  {login.who}")
        self.stdout.write("")
