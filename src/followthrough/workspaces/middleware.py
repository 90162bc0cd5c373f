from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from followthrough.workspaces.responses import busy_response, database_busy

logger = logging.getLogger(__name__)

# Everything the app loads is served from its own origin; htmx needs no eval.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy header Django 5.2 does not set by itself, and
    `Cache-Control: no-store` on the pages of a signed-in user: they hold a team's
    contacts, which a shared computer's browser cache or a proxy must not keep."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class DatabaseBusyMiddleware:
    """A view whose write met a database held by a long import or restore answers 503
    "busy, try again" with `Retry-After`, not a 500 (the transaction rolled back: nothing
    was half-written). Errors raised outside views (a session saved on the way out) reach
    the project's `handler500`, which answers the same."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_busy(exception):
            logger.warning("Busy (503) for %s %s: %s", request.method, request.path, exception)
            return busy_response(request)
        return None
