"""The shared permission check (awl.errors.require) and the domain errors every app raises."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import rules

from awl.errors import DomainError, require
from committees.services import CommitteeError
from conference.elections.services.elections import ElectionError
from conference.registration.services import ConferenceError
from dayschools.services import DaySchoolError
from members.services import MembershipError


class Actor:
    """Someone holding exactly the permissions given, on exactly the objects given (by the rule below)."""

    is_authenticated = True
    is_active = True
    # Being a superuser must change nothing: require asks the rule, not has_perm.
    is_superuser = True

    def __init__(self, *granted: tuple[str, Any]) -> None:
        self.granted = set(granted)
        self.asked: list[tuple[str, Any]] = []

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        raise AssertionError("require must ask the rule (awl.permissions.has_rule), not has_perm")


@rules.predicate
def _granted(actor: Actor, obj: Any) -> bool:
    actor.asked.append(("app.change", obj))
    return ("app.change", obj) in actor.granted


@pytest.fixture(autouse=True)
def app_change_rule() -> Iterator[None]:
    rules.add_perm("app.change", _granted)
    yield
    rules.remove_perm("app.change")


class BookingError(DomainError):
    pass


@pytest.mark.parametrize(
    "error", [MembershipError, CommitteeError, DaySchoolError, ConferenceError, ElectionError]
)
def test_every_apps_error_is_a_domain_error(error: type[Exception]) -> None:
    assert issubclass(error, DomainError)


def test_an_actor_holding_the_permission_on_the_object_passes() -> None:
    actor = Actor(("app.change", "thing"))

    require(actor, "app.change", "thing", "No.", error=BookingError)

    assert actor.asked == [("app.change", "thing")]


@pytest.mark.parametrize("system_may_act", [True, False])
def test_an_actor_without_it_is_refused_with_the_apps_error_and_message(system_may_act: bool) -> None:
    actor = Actor(("app.change", "other thing"))

    with pytest.raises(BookingError, match=r"^Only organisers change it\.$"):
        require(
            actor,
            "app.change",
            "thing",
            "Only organisers change it.",
            error=BookingError,
            system_may_act=system_may_act,
        )


def test_the_system_acts_where_the_app_allows_it_and_is_refused_where_it_does_not() -> None:
    require(None, "app.change", "thing", "No.", error=BookingError)

    with pytest.raises(BookingError, match=r"^No\.$"):
        require(None, "app.change", "thing", "No.", error=BookingError, system_may_act=False)


def test_the_error_defaults_to_the_base_class() -> None:
    with pytest.raises(DomainError):
        require(Actor(), "app.change", None, "No.")
