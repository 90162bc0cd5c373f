"""The days an all-day event covers: `{% load event_days %}` then `{{ event|all_day_span }}`
(the event, or any row with `starts_at`, `ends_at` and `time_zone`)."""

from __future__ import annotations

from django import template

from followthrough.events.days import DaySpan, day_span

register = template.Library()


@register.filter
def all_day_span(event) -> DaySpan:
    return day_span(event.starts_at, event.ends_at, event.time_zone)
