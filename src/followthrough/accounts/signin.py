"""Signing in: the password, then — for an account with two-factor sign-in — a code.

After a right password the session holds only a pending sign-in (the user's id, the
backend, the password's session hash, when it started, how many codes were wrong); the
session is logged in only when a code is right. Wrong codes count as failed sign-ins for
django-axes (the account locks like after wrong passwords), and a pending sign-in ends
after `MAX_CODE_FAILURES` of them or `PENDING_SECONDS`."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from followthrough.accounts import services, throttle
from followthrough.accounts.forms import CodeForm

PENDING_KEY = "accounts_pending_sign_in"
PENDING_SECONDS = 5 * 60
MAX_CODE_FAILURES = 5


class LoginView(auth_views.LoginView):
    """Django's log-in view; for an account with two-factor sign-in a right password
    leads to the code step instead of logging the session in."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not services.two_factor_enabled(user=user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "hash": user.get_session_auth_hash(),
            "started": time.time(),
            "failures": 0,
            "next": self.get_success_url(),  # already checked to be ours
        }
        return redirect("login-code")


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """The pending sign-in's user and state, or None when there is none, it is too old,
    or the account changed meanwhile (password changed, deactivated)."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    user = User.objects.filter(pk=state.get("user", 0), is_active=True).first()
    fresh = time.time() - state.get("started", 0) < PENDING_SECONDS
    if (
        user is None
        or not fresh
        or not constant_time_compare(state.get("hash", ""), user.get_session_auth_hash())
    ):
        request.session.pop(PENDING_KEY, None)
        return None
    return user, state


def _start_again(request: HttpRequest, message: str) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    messages.error(request, message)
    return redirect("login")


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return _start_again(request, "Your sign-in timed out: enter your password again.")
    user, state = pending
    locked = throttle.lockout(request, user)
    if locked is not None:
        request.session.pop(PENDING_KEY, None)
        return locked
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING_KEY]
            login(request, user, backend=state["backend"])
            otp_login(request, device)
            return redirect(state["next"])
        throttle.failed(request, user)
        state["failures"] += 1
        if state["failures"] >= MAX_CODE_FAILURES:
            return _start_again(request, "Too many wrong codes: sign in again.")
        request.session[PENDING_KEY] = state
        wait = services.two_factor_wait(user=user)
        form.add_error(
            "code",
            f"This code is not right. Wait {wait} second{pluralize(wait)}, then enter the "
            "newest code from your app, or one of your recovery codes.",
        )
    return render(request, "registration/login_code.html", {"form": form})
