"""The test client: signing in, and reading what a page says (its messages, its words, its CSV).

``as_user`` takes a member (signed in as their user) or a user. ``shown`` gives the messages a page shows,
after a redirect was followed; ``text`` gives a page's words with the markup's spacing collapsed, for
asserting on sentences; ``read_csv`` reads a CSV download, after checking it is one.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client

from members.models import Member


def as_user(client: Client, who: Member | Any) -> Client:
    """Sign ``client`` in as a member (their user) or as a user, and return it."""
    client.force_login(who.user if isinstance(who, Member) else who)
    return client


def shown(response: Any) -> list[str]:
    """The messages the page shows (after a redirect was followed)."""
    return [str(message) for message in response.context["messages"]]


def text(response: Any) -> str:
    """The page's content with runs of white space collapsed to one space."""
    return " ".join(response.content.decode().split())


def read_csv(response: Any) -> list[list[str]]:
    """The rows of a CSV download (it must be served as a UTF-8 CSV attachment)."""
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))
