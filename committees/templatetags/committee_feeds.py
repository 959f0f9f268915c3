"""What the committee page offers about calendar feeds and undelivered mail (feed_views)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from awl import outbox
from committees.feed_views import feed_urls
from committees.models import Committee
from committees.notices import mail_group

register = template.Library()


@register.simple_tag(takes_context=True)
def committee_feed_panel(context: template.Context, committee: Committee) -> dict[str, Any]:
    """The feed's webcal address for the committee's members; the failed-mail count for its secretary."""
    user = context.get("user")
    if user is None or not user.has_perm("committees.view_committee", committee):
        return {}
    panel: dict[str, Any] = feed_urls(
        reverse("committees:committee_feed", args=[committee.slug, committee.feed_token])
    )
    if user.has_perm("committees.manage_meetings", committee):
        panel["manage"] = True
        panel["failed"] = outbox.failed_count(mail_group(committee))
    return panel
