"""Rendering dashboard panels: each panel's template sees its own context."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from awl.panels import Panel

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context: template.Context, panel: Panel) -> SafeString:
    """Render ``panel.template`` with the page's context plus ``panel`` and ``panel.context``."""
    engine = context.template.engine if context.template is not None else template.Engine.get_default()
    panel_template = engine.get_template(panel.template)
    with context.push(panel=panel, **panel.context):
        return SafeString(panel_template.render(context))
