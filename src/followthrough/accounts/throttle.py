"""Wrong passwords and codes anywhere count for django-axes like wrong log-ins.

The second sign-in step and the forms of a signed-in user that ask for the password (a
stolen session must not guess it unthrottled) report each wrong answer here, and refuse
while the account is locked from this address."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse


def _credentials(user: AbstractBaseUser) -> dict[str, str]:
    return {"username": user.get_username()}


def lockout(request: HttpRequest, user: AbstractBaseUser) -> HttpResponse | None:
    """The lockout page while `user` is locked from this request's address, else None."""
    credentials = _credentials(user)
    if AxesProxyHandler.is_allowed(request, credentials):
        return None
    return get_lockout_response(request, None, credentials)


def failed(request: HttpRequest, user: AbstractBaseUser) -> None:
    """Count a wrong password or code. When it reaches the limit, axes' middleware
    answers this request with the lockout page instead."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
