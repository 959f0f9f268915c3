"""The harness for concurrency tests: run work in parallel threads, each on its own database connection.

A concurrency test proves that a lock or a constraint holds by letting several requests reach the same
row at once (and, for its control, by showing the race without the lock). ``in_parallel`` starts the
threads together behind a barrier, records what each returned, the domain error it was refused with, or
any other exception, closes each thread's connection, and fails rather than hangs if a thread never ends.
Tests that use it need ``django_db(transaction=True)``: each thread's connection sees only what is committed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection

WAIT = 60  # seconds a barrier or a join waits before the test fails rather than hangs


@dataclass
class Outcome:
    """What one thread's work came to: a result, a refusal (the domain error's message), or an error."""

    number: int
    result: Any = None
    refusal: str = ""
    error: str = ""

    @property
    def done(self) -> bool:
        """The work returned without being refused or failing."""
        return not (self.refusal or self.error)


def in_parallel(
    count: int,
    work: Callable[[int], Any],
    *,
    refused: type[BaseException] | tuple[type[BaseException], ...] = (),
    together: bool = True,
    at_most: int | None = None,
) -> list[Outcome]:
    """Run ``work(n)`` for n in 0..count-1, each in its own thread and connection, and say how each ended.

    ``refused``: the domain error(s) recorded as a refusal; any other exception is recorded as an error,
    for the test to assert on rather than be lost in the thread. ``together``: hold every thread at a
    barrier so that they start at once (leave it off when the work meets a barrier of its own).
    ``at_most``: how many threads may hold a connection at a time, to stay inside the server's limit.
    """
    start = threading.Barrier(count)
    slots = threading.BoundedSemaphore(at_most) if at_most else contextlib.nullcontext()
    outcomes = [Outcome(number=n) for n in range(count)]

    def run(n: int) -> None:
        try:
            if together:
                start.wait(timeout=WAIT)
            with slots:
                outcomes[n].result = work(n)
        except refused as refusal:
            outcomes[n].refusal = str(refusal)
        except Exception as exc:  # reported by the test, not lost in the thread
            outcomes[n].error = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return outcomes


def errors(outcomes: list[Outcome]) -> list[str]:
    """The unexpected exceptions, to assert there were none: ``assert errors(outcomes) == []``."""
    return [outcome.error for outcome in outcomes if outcome.error]


def said(outcomes: list[Outcome], done: str) -> list[str]:
    """Each outcome as a word: ``done`` where the work returned, else the refusal (or the error)."""
    return [done if outcome.done else outcome.refusal or outcome.error for outcome in outcomes]
