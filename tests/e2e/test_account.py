"""The account pages in a real browser: each loads and axe finds nothing serious, at 1280
and 375 px; and the whole path — change the password, sign in with it, turn on
two-factor sign-in with a code computed here, sign in with a code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.accounts.conftest import totp_next, totp_now
from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-ria-1234-long"
NEW_PASSWORD = "a new passphrase for ria"
SIGNED_IN_PAGES = [
    ("/accounts/", "Your account"),
    ("/accounts/password/", "Change your password"),
    ("/accounts/email/", "Change your e-mail address"),
    ("/accounts/two-factor/", "Turn on two-factor sign-in"),
]
ANONYMOUS_PAGES = [
    ("/accounts/password/reset/", "Forgot your password"),
    ("/accounts/password/reset/sent/", "Check your mail"),
]


def _fits(page, width: int) -> None:
    used = page.evaluate("document.documentElement.scrollWidth")
    assert used <= width, f"{page.url} is {used}px wide at {width}px"


@pytest.mark.parametrize("width", [1280, 375])
def test_the_account_pages_are_accessible(browser, live_server, django_user_model, width):
    django_user_model.objects.create_user("ria@example.org", "ria@example.org", PASSWORD)
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    for path, heading in ANONYMOUS_PAGES:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)
        _fits(page, width)
    log_in(page, live_server.url, "ria@example.org", PASSWORD)
    for path, heading in SIGNED_IN_PAGES:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)
        _fits(page, width)
    # A form sent wrong shows its errors by the fields, and stays accessible.
    page.goto(live_server.url + "/accounts/email/")
    page.get_by_label("New e-mail address").fill("ria@example.org")
    page.get_by_label("Your current password").fill("wrong")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("#id_email_error")).to_contain_text("your address already")
    expect(page.locator("#id_password_error")).to_contain_text("not your current password")
    assert_accessible(page)
    _fits(page, width)
    context.close()


def test_change_the_password_then_sign_in_with_two_factor(page, live_server, django_user_model):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from followthrough.site.services import workspace_open

    user = django_user_model.objects.create_user("ria@example.org", "ria@example.org", PASSWORD)
    workspace = workspace_open(name="Ria Org", owner=user)
    base = live_server.url
    log_in(page, base, "ria@example.org", PASSWORD)
    expect(page).to_have_url(f"{base}/w/{workspace.slug}/")

    # The account page is in the header's menu.
    page.get_by_text("More").click()
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")

    page.get_by_role("link", name="Change your password").click()
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")

    page.get_by_role("button", name="Log out").click()  # the account page's header
    log_in(page, base, "ria@example.org", PASSWORD)
    expect(page.get_by_role("alert")).to_be_visible()  # the old one no longer works
    log_in(page, base, "ria@example.org", NEW_PASSWORD)
    expect(page).to_have_url(f"{base}/w/{workspace.slug}/")

    page.goto(base + "/accounts/")
    page.get_by_role("link", name="Turn two-factor sign-in on").click()
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Code from the app").fill(totp_now(device))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)

    page.goto(base + "/accounts/")
    page.get_by_role("button", name="Log out").click()
    log_in(page, base, "ria@example.org", NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page)
    page.goto(f"{base}/w/{workspace.slug}/")  # not signed in before the code
    expect(page).to_have_url(f"{base}/accounts/login/?next=/w/{workspace.slug}/")
    log_in(page, base, "ria@example.org", NEW_PASSWORD)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#id_code_error")).to_contain_text("not right")
    page.wait_for_timeout(1100)  # django-otp refuses every code for a second after a wrong one
    page.get_by_label("Code").fill(totp_next(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/w/{workspace.slug}/")
