"""`{{ item.summary_html|feed_html }}`: a feed's HTML, sanitized again as it is shown
(it was when stored; the one rule is `watch.parse.clean_html`)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from followthrough.watch.parse import clean_html

register = template.Library()


@register.filter(name="feed_html")
def feed_html(text: str) -> SafeString:
    return mark_safe(clean_html(text or ""))  # noqa: S308 — sanitized by nh3 just now
