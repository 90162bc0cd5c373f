from __future__ import annotations

from django.core import signing
from django.test import Client
from django.urls import reverse

from followthrough.accounts import services
from tests.accounts.conftest import link_in, log_in
from tests.factories import PASSWORD, make_user


def _ask(client, email: str, password: str = PASSWORD):
    return client.post(reverse("email-change"), {"email": email, "password": password})


def test_the_link_goes_to_the_new_address_and_changes_login_and_email(
    owner, owner_client, smtp_mail, settings
):
    settings.BASE_URL = "https://crm.example.org"
    assert _ask(owner_client, "Alice.New@Example.org").status_code == 302
    owner.refresh_from_db()
    assert owner.email == "alice@example.org"  # nothing changes before the link
    (message,) = smtp_mail.to("alice.new@example.org")
    link = link_in(message.get_content())
    assert link.startswith("https://crm.example.org/accounts/email/confirm/")
    path = link.removeprefix("https://crm.example.org")
    assert owner_client.get(path).status_code == 200  # a GET shows a button only
    owner.refresh_from_db()
    assert owner.email == "alice@example.org"

    assert owner_client.post(path).status_code == 302
    owner.refresh_from_db()
    assert (owner.email, owner.username) == ("alice.new@example.org", "alice.new@example.org")
    (notice,) = smtp_mail.to("alice@example.org")
    assert "alice.new@example.org" in notice.get_content()
    assert log_in(Client(), "alice.new@example.org").status_code == 302
    # The link is used up.
    assert owner_client.post(path).status_code == 400


def test_an_address_of_another_account_is_refused(owner, owner_client, mailoutbox):
    make_user("bob@example.org")
    response = _ask(owner_client, "BOB@example.org")
    assert response.status_code == 200
    assert "Another account uses this address already" in response.content.decode()
    assert 'id="id_email_error"' in response.content.decode()
    assert mailoutbox == []


def test_a_wrong_password_is_refused(owner, owner_client, mailoutbox):
    response = _ask(owner_client, "alice.new@example.org", password="wrong")
    assert "This is not your current password" in response.content.decode()
    assert mailoutbox == []


def test_an_address_taken_meanwhile_is_not_taken_over(owner, owner_client, client):
    token = services.email_change_token(user=owner, new_email="shared@example.org")
    make_user("shared@example.org")
    response = client.post(reverse("email-change-confirm", args=[token]))
    assert response.status_code == 400
    assert "Another account uses this address now" in response.content.decode()
    owner.refresh_from_db()
    assert owner.email == "alice@example.org"


def test_an_expired_or_forged_link_changes_nothing(owner, client, time_machine):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    token = services.email_change_token(user=owner, new_email="later@example.org")
    time_machine.shift(services.EMAIL_CHANGE_MAX_AGE + 60)
    assert "expired" in client.post(reverse("email-change-confirm", args=[token])).content.decode()
    forged = signing.dumps({"u": owner.pk, "old": owner.email, "new": "x@example.org"})
    assert client.post(reverse("email-change-confirm", args=[forged])).status_code == 400
    owner.refresh_from_db()
    assert owner.email == "alice@example.org"
