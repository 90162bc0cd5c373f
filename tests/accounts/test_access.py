"""Who may sign in: deactivated accounts, and the lockout after failed log-ins."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import log_in
from tests.factories import PASSWORD, make_user


def test_a_deactivated_account_loses_its_live_session_at_once(owner, workspace):
    client = Client()
    assert log_in(client, owner.email).status_code == 302  # the real backends, axes first
    today = reverse("agenda:today", args=[workspace.slug])
    assert client.get(today).status_code == 200
    call_command("account", "deactivate", owner.email, stdout=io.StringIO())
    assert client.get(today)["Location"].startswith(reverse("login"))
    assert log_in(client, owner.email).status_code == 200  # and cannot sign in again
    call_command("account", "activate", owner.email, stdout=io.StringIO())
    assert log_in(client, owner.email).status_code == 302


def test_one_persons_failures_do_not_lock_a_colleague_out_from_the_same_address(owner, settings):
    colleague = make_user("carol@example.org")
    office = "198.51.100.7"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), owner.email, "wrong", REMOTE_ADDR=office)
    assert log_in(Client(), owner.email, REMOTE_ADDR=office).status_code == 429
    assert log_in(Client(), colleague.email, REMOTE_ADDR=office).status_code == 302
    # Nor is the owner locked out from another address by failures elsewhere.
    assert log_in(Client(), owner.email, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_wrong_passwords_on_the_account_forms_count_toward_the_lockout(
    owner, owner_client, settings
):
    # A stolen session must not guess the password unthrottled.
    settings.AXES_FAILURE_LIMIT = 3
    wrong = {"email": "x@example.org", "password": "guess"}
    assert owner_client.post(reverse("email-change"), wrong).status_code == 200
    change = {"old_password": "guess", "new_password1": "n3w-pass!", "new_password2": "n3w-pass!"}
    assert owner_client.post(reverse("password_change"), change).status_code == 200
    assert owner_client.post(reverse("email-change"), wrong).status_code == 429
    # Locked now, even for the right password, here and at the log-in.
    right = {**wrong, "password": PASSWORD}
    assert owner_client.post(reverse("email-change"), right).status_code == 429
    assert log_in(Client(), owner.email).status_code == 429
