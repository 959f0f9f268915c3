"""Pages for a signed-in person are never stored by a browser or proxy (issue 15)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from awl.middleware import NoStoreForSignedInMiddleware
from tests.factories import UserFactory


def _through(user: Any, cache_control: str | None = None) -> HttpResponse:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("page")
        if cache_control is not None:
            response["Cache-Control"] = cache_control
        return response

    request = RequestFactory().get("/page/")
    request.user = user
    return NoStoreForSignedInMiddleware(view)(request)


def _directives(response: HttpResponse) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_page_for_a_signed_in_person_is_no_store_and_private(db: None) -> None:
    assert _directives(_through(UserFactory.create())) == {"no-store", "private"}


def test_a_weaker_cache_control_the_view_set_gains_no_store_and_private(db: None) -> None:
    user = UserFactory.create()

    assert {"no-store", "private"} <= _directives(_through(user, "private, max-age=300"))
    assert {"no-store", "private"} <= _directives(_through(user, "no-store"))


def test_a_response_the_view_made_public_on_purpose_is_left_alone(db: None) -> None:
    assert _through(UserFactory.create(), "public, max-age=3600")["Cache-Control"] == "public, max-age=3600"


def test_an_anonymous_visitors_page_is_not_touched() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert "Cache-Control" not in _through(AnonymousUser())


def test_the_middleware_runs_on_real_pages(client: Any, db: None) -> None:
    from django.urls import reverse

    public = client.get(reverse("dayschools:event_list"))
    client.force_login(UserFactory.create())
    signed_in = client.get(reverse("dayschools:event_list"))

    assert public.status_code == signed_in.status_code == 200
    assert "no-store" not in public.get("Cache-Control", "")
    assert {"no-store", "private"} <= _directives(signed_in)
