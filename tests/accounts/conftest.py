"""Account tests: sign-in helpers and the real SMTP server on 127.0.0.1."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from followthrough.accounts import services
from tests.factories import PASSWORD
from tests.smtp import smtp_server  # noqa: F401  (fixture)


@pytest.fixture
def smtp_mail(settings, smtp_server):  # noqa: F811
    """Django's EMAIL_* settings pointed at the real server: mail goes out over SMTP."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    return smtp_server


@pytest.fixture(autouse=True)
def _no_otp_delay(settings):
    """django-otp's growing delay after a wrong code is tested on its own; elsewhere a
    right code right after a wrong one must pass."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def totp_now(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `steps_ahead` periods later),
    computed from the device's key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def totp_next(device: TOTPDevice) -> str:
    """A code the device takes now, though the current one was used (to confirm it): a
    code is good once, and the device accepts the next period's for a clock's drift."""
    return totp_now(device, steps_ahead=1)


def enable_two_factor(user) -> tuple[TOTPDevice, list[str]]:
    device = services.totp_device_pending(user=user)
    codes = services.two_factor_confirm(device=device, code=totp_now(device))
    assert codes is not None
    device.refresh_from_db()
    return device, codes


def log_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def link_in(body: str) -> str:
    return re.search(r"https?://\S+", body).group(0)
