"""Answers every room's views give the same way: "see other" after a write.

In `workspaces`, the lowest app, so every other app may use them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def see_other(to: Any, *args: Any, **kwargs: Any) -> HttpResponseSeeOther:
    """303 See Other: after a form post, the browser (and htmx) GETs `to`, and reloading
    that page does not post again. `to` is what `redirect()` takes: a URL, a view name
    with its arguments, or a model with `get_absolute_url()`."""
    return HttpResponseSeeOther(resolve_url(to, *args, **kwargs))
