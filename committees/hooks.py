"""Hooks other apps register with, so that committees can call them without importing them.

``committees`` knows nothing of the apps built on it (import-linter holds the line), yet conference
must hear when the NC gains a coming meeting: a motion it referred may be queued for one. An app
registers a function in its ``AppConfig.ready``; the meeting services call every registered function,
inside their transaction, with the committee whose meetings were created.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from committees.models import Committee

MeetingsCreated = Callable[["Committee"], object]

_meetings_created: list[MeetingsCreated] = []


def on_meetings_created(hook: MeetingsCreated) -> MeetingsCreated:
    """Register ``hook`` (once, however often it is registered) to be called when meetings are made."""
    if hook not in _meetings_created:
        _meetings_created.append(hook)
    return hook


def meetings_created(committee: Committee) -> None:
    """Tell every registered app that ``committee`` has new meetings."""
    for hook in list(_meetings_created):
        hook(committee)
