"""The account pages: the overview, password change and reset (Django's views with our
templates), the e-mail change, and two-factor set-up and removal. The sign-in itself
is in `accounts.signin`."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.mail import BadHeaderError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_static.models import StaticToken

from followthrough.accounts import services, throttle
from followthrough.accounts.forms import (
    EmailChangeForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    PasswordResetForm,
    SetupCodeForm,
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    recovery_left = StaticToken.objects.filter(device__user=user).count()
    return render(
        request,
        "accounts/account.html",
        {
            "two_factor": services.two_factor_enabled(user=user),
            "recovery_left": recovery_left,
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view: the other sessions end (the password is in their hash), this one
    stays (`update_session_auth_hash`)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account")
    form_class = PasswordChangeForm

    def post(self, request, *args, **kwargs):
        return throttle.lockout(request, request.user) or super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view; the link in the mail is built on `settings.BASE_URL`, never on the
    Host header of the request that asked for it (which the asker chooses)."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        base = urlsplit(settings.BASE_URL)
        # The mail's link comes from the form (`link`, on BASE_URL); these two keep
        # Django's fall-back to the request's Host header out of the mail's context.
        self.domain_override = base.netloc
        self.use_https = base.scheme == "https"
        return super().form_valid(form)


@login_required
@sensitive_post_parameters("password")
def email_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST" and (locked := throttle.lockout(request, user)):
        return locked
    form = EmailChangeForm(request.POST or None, user=user, request=request)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["email"]
        try:
            services.email_change_request(user=user, new_email=new_email)
        except services.AccountError as error:
            form.add_error("email", str(error))
        except (OSError, BadHeaderError):
            form.add_error(None, "The confirmation mail could not be sent: try again later.")
        else:
            messages.success(
                request,
                f"We sent a link to {new_email}: follow it to make it your address. "
                "Until then your address stays as it is.",
            )
            return redirect("account")
    return render(request, "accounts/email_change.html", {"form": form})


def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Follow the link from the mail. Signed in or not: the token is the proof, and the
    change needs no session (the link may open in another browser)."""
    if request.method != "POST":
        # A GET only shows a button: mail scanners that open links must not confirm.
        return render(request, "accounts/email_change_confirm.html", {"token": token})
    try:
        changed = services.email_change_confirm(token=token)
    except services.AccountError as error:
        return render(
            request, "accounts/email_change_invalid.html", {"reason": str(error)}, status=400
        )
    messages.success(request, f"Your address is now {changed.user.email}.")
    return redirect("account" if request.user.is_authenticated else "login")


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if services.two_factor_enabled(user=user):
        return redirect("account")
    device = services.totp_device_pending(user=user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_confirm(device=device, code=form.cleaned_data["code"])
        if codes is not None:
            # Shown in this answer only (not stored in the clear, not in the session).
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error(
            "code",
            "This code does not match. Check the app shows Followthrough and the phone's "
            "clock is right, then enter the newest code.",
        )
    context = {
        "form": form,
        "qr_svg": services.totp_qr_svg(device=device),
        "secret": services.totp_secret(device=device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _after_the_password(
    request: HttpRequest, template: str, confirmed: Callable[[User], HttpResponse]
) -> HttpResponse:
    """A change to two-factor sign-in that asks for the password first (wrong ones count
    toward the lockout): the form, or `confirmed(user)` once the password is right."""
    user = _user(request)
    if not services.two_factor_enabled(user=user):
        return redirect("account")
    if request.method == "POST" and (locked := throttle.lockout(request, user)):
        return locked
    form = PasswordConfirmForm(request.POST or None, user=user, request=request)
    if request.method == "POST" and form.is_valid():
        return confirmed(user)
    return render(request, template, {"form": form})


@login_required
@sensitive_post_parameters("password")
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    def turn_off(user: User) -> HttpResponse:
        services.two_factor_remove(user=user)
        messages.success(request, "Two-factor sign-in is off: your password alone signs you in.")
        return redirect("account")

    return _after_the_password(request, "accounts/two_factor_disable.html", turn_off)


@login_required
@sensitive_post_parameters("password")
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    def make_codes(user: User) -> HttpResponse:
        codes = services.recovery_codes_make(user=user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes})

    return _after_the_password(request, "accounts/recovery_codes_new.html", make_codes)
