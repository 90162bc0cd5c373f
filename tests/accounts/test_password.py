from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import link_in, log_in
from tests.factories import PASSWORD, make_user

NEW = "a brand new pass phrase"


def _without_csrf(response) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())


def test_it_changes_the_password_and_keeps_this_session(owner, owner_client, workspace):
    other = Client()
    other.force_login(owner)
    response = owner_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW)
    today = reverse("agenda:today", args=[workspace.slug])
    assert owner_client.get(today).status_code == 200
    # Another session of the same account ends: the password is part of its hash.
    assert other.get(today).status_code == 302


def test_a_wrong_old_password_is_a_field_error(owner, owner_client):
    response = owner_client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": NEW, "new_password2": NEW},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in body
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_the_reset_mail_goes_over_smtp_with_a_link_on_base_url(client, owner, settings, smtp_mail):
    settings.BASE_URL = "https://crm.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    response = client.post(
        reverse("password_reset"), {"email": "Alice@Example.org"}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 302
    (message,) = smtp_mail.to(owner.email)
    body = message.get_content()
    assert "evil.example" not in body
    link = link_in(body)
    assert link.startswith("https://crm.example.org/accounts/password/reset/")

    # Following it sets a new password, once.
    path = link.removeprefix("https://crm.example.org")
    response = client.get(path)  # Django moves the token into the session
    response = client.post(
        response["Location"], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert "Your new password is set" in response.content.decode()
    assert log_in(Client(), owner.email, NEW).status_code == 302
    assert "has been used or has expired" in Client().get(path, follow=True).content.decode()


def test_the_reset_page_does_not_tell_whether_an_account_exists(client, owner, smtp_mail):
    known = client.post(reverse("password_reset"), {"email": owner.email}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert _without_csrf(known) == _without_csrf(unknown)
    assert [r for r, _ in smtp_mail.received] == [[owner.email]]


def test_no_reset_for_a_deactivated_account(client, owner, smtp_mail):
    owner.is_active = False
    owner.save()
    response = client.post(reverse("password_reset"), {"email": owner.email})
    assert response.status_code == 302
    assert smtp_mail.received == []


def test_an_active_account_without_a_password_can_set_one(client, db, mailoutbox):
    # What a backup restore makes (inactive, no usable password), once activated.
    user = make_user("restored@example.org")
    user.set_unusable_password()
    user.save()
    client.post(reverse("password_reset"), {"email": user.email})
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]


def test_the_login_page_links_the_reset(client, db):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
