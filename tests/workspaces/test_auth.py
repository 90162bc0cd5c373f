from django.test import Client
from django.urls import reverse

from followthrough.workspaces.models import Membership, Role
from tests.factories import PASSWORD


def test_it_signs_up_and_creates_a_workspace(client, db):
    response = client.post(
        reverse("signup"),
        {
            "name": "Dana Reyes",
            "email": "Dana@Example.org",
            "password": "a long pass phrase for dana",
            "workspace_name": "Riverside Food Bank",
        },
    )
    membership = Membership.objects.get(user__email="dana@example.org")
    assert membership.role == Role.OWNER
    assert membership.workspace.slug == "riverside-food-bank"
    assert membership.workspace.organization.name == "Riverside Food Bank"
    assert response["Location"] == reverse("agenda:today", args=["riverside-food-bank"])


def test_it_rejects_a_common_password_and_a_bad_email(client, db):
    response = client.post(
        reverse("signup"),
        {
            "name": "Dana",
            "email": "not-an-email",
            "password": "password123",
            "workspace_name": "X",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address" in body and "too common" in body
    assert not Membership.objects.exists()


def test_it_accepts_a_long_passphrase_exactly(client, db):
    password = "x" * 149 + "y" + "z" * 50
    client.post(
        reverse("signup"),
        {
            "name": "Lee",
            "email": "lee@example.org",
            "password": password,
            "workspace_name": "Lee Org",
        },
    )
    client.logout()
    wrong = password[:149] + "Y" + password[150:]
    response = client.post(reverse("login"), {"username": "lee@example.org", "password": wrong})
    assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "lee@example.org", "password": password})
    assert response.status_code == 302


def test_it_changes_the_session_key_on_login(client, owner):
    client.get(reverse("login"))
    client.cookies["sessionid"] = "fixated"
    client.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert client.cookies["sessionid"].value != "fixated"


def test_it_locks_an_account_after_repeated_failures(client, owner, settings):
    # Per (username, address): tests/accounts/test_access.py has the other pairs.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": owner.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 429


def test_it_ignores_an_off_site_next_after_login(client, owner):
    response = client.post(
        reverse("login") + "?next=//evil.example/",
        {"username": owner.email, "password": PASSWORD, "next": "//evil.example/"},
    )
    assert "evil.example" not in response["Location"]


def test_anonymous_visitors_are_sent_to_login(client, workspace):
    response = client.get(reverse("agenda:today", args=[workspace.slug]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_stranger_gets_404_for_another_workspace(outsider_client, workspace):
    assert outsider_client.get(reverse("agenda:today", args=[workspace.slug])).status_code == 404


def test_a_deactivated_user_loses_access(owner_client, owner, workspace):
    owner.is_active = False
    owner.save()
    response = owner_client.get(reverse("agenda:today", args=[workspace.slug]))
    assert response.status_code == 302


def test_a_wrong_password_is_told_in_terms_of_the_e_mail(client, owner):
    response = client.post(
        reverse("login"), {"username": owner.email, "password": "not the password at all"}
    )
    body = response.content.decode()
    assert "That e-mail and password do not match an account." in body
    assert "correct username" not in body.lower()
    assert 'class="narrow entry-card"' in body


def test_every_page_title_names_the_page_and_the_workspace(owner_client, workspace):
    body = owner_client.get(reverse("agenda:today", args=[workspace.slug])).content.decode()
    assert f"<title>Today · {workspace.name} · Followthrough</title>" in body
    login = Client().get(reverse("login")).content.decode()
    assert "<title>Log in · Followthrough</title>" in login
