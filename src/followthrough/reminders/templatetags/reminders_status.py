"""`{% worker_banner %}` for Today: a calm line when the background worker has not been
seen for ten minutes, so a reminder that cannot fire is visible. A template tag rather
than Today's view: `agenda` sits below `reminders` and may not import it, and `{% load %}`
is no import. It costs at most one small query a minute (`worker_last_seen` is cached)."""

from __future__ import annotations

from typing import Any

from django import template

from followthrough.reminders.selectors import worker_missing

register = template.Library()


@register.inclusion_tag("reminders/_worker_banner.html", takes_context=True)
def worker_banner(context: template.Context) -> dict[str, Any]:
    missing, last_seen = worker_missing()
    membership = context.get("membership")
    return {
        "missing": missing,
        "last_seen": last_seen,
        "workspace": context.get("workspace"),
        "is_owner": bool(membership and membership.is_owner),
    }
