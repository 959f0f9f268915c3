"""Paginated lists, the same way on every page: a malformed or too-large ``?page=`` gives the nearest page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def page_of(request: HttpRequest, items: QuerySet[Any] | Sequence[Any], per_page: int) -> Page[Any]:
    """The requested page; a missing, malformed or out-of-range number gives the nearest page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def query_string_without_page(request: HttpRequest) -> str:
    """The request's filters, for the links to other pages of the same list."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
