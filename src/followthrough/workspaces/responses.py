"""The two answers every room's views give the same way: "see other" after a write, and
a page or, for HTMX, only its swappable fragment.

In `workspaces`, the lowest app, so every other app may use them.
"""

from __future__ import annotations

from typing import Any

from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.views.decorators.vary import vary_on_headers

# What an answer of a URL that serves both the page and its fragment depends on. The
# history-restore header too: htmx sends it *with* `HX-Request: true`, and wants the
# page, so a cache keyed on `HX-Request` alone could hand it a stored fragment.
HTMX_VARY = ("HX-Request", "HX-History-Restore-Request")


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def see_other(to: Any, *args: Any, **kwargs: Any) -> HttpResponseSeeOther:
    """303 See Other: after a form post, the browser (and htmx) GETs `to`, and reloading
    that page does not post again. `to` is what `redirect()` takes: a URL, a view name
    with its arguments, or a model with `get_absolute_url()`."""
    return HttpResponseSeeOther(resolve_url(to, *args, **kwargs))


def is_partial(request: HttpRequest, *, target: str | None = None) -> bool:
    """Whether to answer with the fragment rather than the page: an HTMX request, but not
    a history restore (after a miss in its history cache htmx asks for the URL with
    `HX-History-Restore-Request` and needs the whole page) — and, when `target` is given,
    one aimed at the element with that id (`HX-Target`)."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target


def render_page_or_partial(
    request: HttpRequest,
    page: str,
    partial: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    target: str | None = None,
) -> HttpResponse:
    """The whole page, or for HTMX (`is_partial`) only its swappable region: `partial`,
    the template the page includes for it. Either answer carries `Vary` on the HTMX
    headers, so no cache hands one kind of request the other's answer.

    `status` is the page's: the fragment is always 200, because htmx does not swap a
    4xx answer (a form with errors would not show them).
    """
    if is_partial(request, target=target):
        response = render(request, partial, context)
    else:
        response = render(request, page, context, status=status)
    patch_vary_headers(response, (*HTMX_VARY, "HX-Target") if target else HTMX_VARY)
    return response


# For a view that answers HTMX in more ways than `render_page_or_partial` (a redirect, an
# `HX-Refresh`): every answer it gives varies on the HTMX headers.
vary_on_htmx = vary_on_headers(*HTMX_VARY)


BUSY_RETRY_AFTER = 5


def database_busy(error: BaseException | None) -> bool:
    """Whether `error` is the database saying another writer holds it past our wait:
    SQLite's "database is locked" (or "… table is locked"), PostgreSQL's lock timeout."""
    if not isinstance(error, OperationalError):
        return False
    text = str(error).lower()
    return "is locked" in text or "lock timeout" in text


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with `Retry-After`: the calm answer to a write that could not get the database
    in time (a long import or restore in another process), instead of a 500."""
    # No request context: its processors would read the database that is in trouble.
    page = render_to_string("503_busy.html", {"retry_after": BUSY_RETRY_AFTER})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response
