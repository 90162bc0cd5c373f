"""Who may sign in: deactivated accounts, and the lockout after failed log-ins."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import log_in
from tests.factories import make_user


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
