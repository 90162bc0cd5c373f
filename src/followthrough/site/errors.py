"""The project's answer to an error no view handled (`handler500`)."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.views.defaults import server_error as django_server_error

from followthrough.workspaces.responses import busy_response, database_busy


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, except when the database was busy (a long import or restore
    held it past our wait, e.g. while the session was saved on the way out): then 503
    with `Retry-After`. Django calls this inside its `except`, so the error is at hand."""
    if database_busy(sys.exc_info()[1]):
        return busy_response(request)
    return django_server_error(request)
