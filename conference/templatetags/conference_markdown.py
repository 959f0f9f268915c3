"""``{{ motion.text|motion_markdown }}``: a motion's Markdown as sanitised HTML."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from conference.business import markdown

register = template.Library()


@register.filter(name="motion_markdown")
def motion_markdown(text: str) -> SafeString:
    return markdown.render(text)
