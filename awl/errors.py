"""The domain error every app's services raise, and the one permission check they share.

A service that refuses a change raises its app's error (``MembershipError``,
``CommitteeError``, ``DaySchoolError``, ``ConferenceError``,
``ElectionError``), each a ``DomainError``: its message is written for the
person who asked, so a view shows it as it is, on the form or as a message.

``require`` is the check at the top of a service: the actor must hold the
permission (a ``rules`` predicate) on the object, or the service refuses with
the app's error and the message given. An app binds it once to its error,
``_require = partial(require, error=CommitteeError)``, and calls that.
"""

from __future__ import annotations

from typing import Any

from awl.permissions import has_rule


class DomainError(Exception):
    """A rule of the organisation refused the change; the message is fit to show the person."""


def require(
    actor: Any,
    perm: str,
    obj: Any,
    message: str,
    *,
    error: type[DomainError] = DomainError,
    system_may_act: bool = True,
) -> None:
    """Raise ``error(message)`` unless ``actor`` holds ``perm`` on ``obj``.

    ``actor`` None is the system itself (a command, a task, the demo): it may
    act when ``system_may_act`` is true (committees, day schools, conference
    registration), and is refused like anyone else when it is false (members'
    own details, an election's tellers and count, which always have a person
    behind them). Anyone else, signed in or not, needs the permission.
    """
    if actor is None:
        if system_may_act:
            return
        raise error(message)
    if not has_rule(actor, perm, obj):
        raise error(message)
