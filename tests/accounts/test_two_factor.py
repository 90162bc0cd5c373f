from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from followthrough.accounts import services
from followthrough.accounts.signin import MAX_CODE_FAILURES, PENDING_KEY, PENDING_SECONDS
from tests.accounts.conftest import enable_two_factor, log_in, totp_next, totp_now
from tests.factories import PASSWORD


def _code(client: Client, code: str):
    return client.post(reverse("login-code"), {"code": code})


def test_setup_shows_a_qr_code_and_the_key_and_needs_a_right_code(owner, owner_client):
    page = owner_client.get(reverse("two-factor-setup")).content.decode()
    device = TOTPDevice.objects.get(user=owner)
    assert "<svg" in page and services.totp_secret(device=device) in page
    assert owner_client.get(reverse("two-factor-setup")).status_code == 200
    assert TOTPDevice.objects.filter(user=owner).count() == 1  # a reload keeps the key

    wrong = owner_client.post(reverse("two-factor-setup"), {"code": "000000"})
    assert 'id="id_code_error"' in wrong.content.decode()
    assert not services.two_factor_enabled(user=owner)

    done = owner_client.post(reverse("two-factor-setup"), {"code": totp_now(device)})
    codes = list(StaticToken.objects.filter(device__user=owner).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert services.two_factor_enabled(user=owner)
    # Shown once: the set-up page now leads back to the account.
    assert owner_client.get(reverse("two-factor-setup")).status_code == 302


def test_sign_in_asks_for_the_code_before_the_session_is_logged_in(owner, workspace):
    device, _ = enable_two_factor(owner)
    client = Client()
    today = reverse("agenda:today", args=[workspace.slug])
    response = log_in(client, owner.email)
    assert response["Location"] == reverse("login-code")
    assert "_auth_user_id" not in client.session
    assert client.get(today).status_code == 302  # not signed in yet

    assert _code(client, totp_next(device))["Location"] == "/"
    assert client.get(today).status_code == 200


def test_a_recovery_code_signs_in_once(owner, workspace):
    _, codes = enable_two_factor(owner)
    client = Client()
    log_in(client, owner.email)
    assert _code(client, codes[0].upper())["Location"] == "/"
    again = Client()
    log_in(again, owner.email)
    assert _code(again, codes[0]).status_code == 200  # used up
    assert "_auth_user_id" not in again.session


def test_five_wrong_codes_end_the_pending_sign_in(owner):
    device, _ = enable_two_factor(owner)
    client = Client()
    log_in(client, owner.email)
    for _ in range(MAX_CODE_FAILURES - 1):
        assert "This code is not right" in _code(client, "000000").content.decode()
    assert _code(client, "000000")["Location"] == reverse("login")
    assert PENDING_KEY not in client.session
    # Even the right code now needs the password first.
    assert _code(client, totp_next(device))["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_toward_the_lockout(owner, settings):
    settings.AXES_FAILURE_LIMIT = 3
    device, _ = enable_two_factor(owner)
    client = Client()
    log_in(client, owner.email)
    _code(client, "000000")
    _code(client, "111111")
    assert _code(client, "222222").status_code == 429
    # Locked: neither a right code nor the password gets in now.
    assert _code(client, totp_next(device)).status_code == 429
    assert log_in(client, owner.email).status_code == 429
    assert "_auth_user_id" not in client.session


def test_django_otp_slows_down_guessing_on_the_device(owner, settings, time_machine):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)  # the delay never runs out here
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    device, _ = enable_two_factor(owner)
    client = Client()
    log_in(client, owner.email)
    assert "Wait 1 second," in _code(client, "000000").content.decode()
    # Within the delay after a wrong code even the right one is refused.
    assert "Wait 1 second," in _code(client, totp_next(device)).content.decode()
    assert "_auth_user_id" not in client.session


def test_a_pending_sign_in_expires(owner, time_machine):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    device, _ = enable_two_factor(owner)
    client = Client()
    log_in(client, owner.email)
    time_machine.shift(PENDING_SECONDS + 1)
    assert _code(client, totp_next(device))["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_turning_it_off_needs_the_password(owner, owner_client):
    enable_two_factor(owner)
    wrong = owner_client.post(reverse("two-factor-disable"), {"password": "wrong"})
    assert 'id="id_password_error"' in wrong.content.decode()
    assert services.two_factor_enabled(user=owner)
    owner_client.post(reverse("two-factor-disable"), {"password": PASSWORD})
    assert not services.two_factor_enabled(user=owner)
    assert not StaticToken.objects.filter(device__user=owner).exists()


def test_new_recovery_codes_replace_the_old(owner, owner_client):
    _, old = enable_two_factor(owner)
    page = owner_client.post(reverse("recovery-codes-new"), {"password": PASSWORD})
    new = list(StaticToken.objects.filter(device__user=owner).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(code in page.content.decode() for code in new)


def test_the_admin_signs_in_through_our_log_in_page(client, owner):
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == reverse("login") + "?next=/admin/"


def test_an_administrator_removes_two_factor_from_the_command_line(owner):
    enable_two_factor(owner)
    out = io.StringIO()
    call_command("account", "reset-2fa", "ALICE@example.org", stdout=out)
    assert "Removed two-factor sign-in" in out.getvalue()
    assert not services.two_factor_enabled(user=owner)
    assert log_in(Client(), owner.email)["Location"] == "/"
    with pytest.raises(CommandError, match="No account with the e-mail"):
        call_command("account", "reset-2fa", "nobody@example.org")
