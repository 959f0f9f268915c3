"""The request a view behind ``login_required`` receives.

To the type checker Django's ``HttpRequest.user`` is the user model or
``AnonymousUser``: it cannot see that ``login_required`` has already turned
anonymous visitors away. A view behind ``login_required`` (and a helper only
such views call) annotates its request as ``AuthenticatedHttpRequest``, so
that ``request.user`` is the user model and can be passed as a service's
``actor``. Views a visitor may reach without signing in keep ``HttpRequest``,
and the services they call accept ``AnonymousUser`` where that is so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """An ``HttpRequest`` whose user has signed in (the view is behind ``login_required``)."""

    user: User
