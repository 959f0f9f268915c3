"""Motions' Markdown, rendered safely: Python-Markdown makes the HTML, nh3 keeps only an allow-list.

A motion's text is written by any member, so nothing it holds may run in a
reader's browser: the HTML Markdown makes (raw HTML in the text passes
through it) is cleaned by nh3 against an allow-list (no scripts, styles,
images, event handlers or ``javascript:`` links), and links get ``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

import markdown as python_markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "a",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> SafeString:
    """The text as HTML fit to put in a page."""
    html = python_markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 against the allow-list above


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """The text's lines, numbered from 1, as amendments refer to them."""
    return list(enumerate((text or "").splitlines(), start=1))
