"""The signed-in user's own account: the e-mail change, two-factor devices, and what an
installation administrator may do to an account from the command line.

The login is the e-mail address, lower-cased: `username` and `email` always change
together (`workspaces.services.user_create` makes them so)."""

from __future__ import annotations

import io
import math
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, User
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

EMAIL_CHANGE_SALT = "followthrough.accounts.email-change"
# The link to confirm a new address works this long; the reset link as long.
EMAIL_CHANGE_MAX_AGE = settings.PASSWORD_RESET_TIMEOUT
RECOVERY_CODE_COUNT = 10


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""


def absolute_url(path: str) -> str:
    """`path` (from `reverse`) on the configured `settings.BASE_URL`, never on the
    request's Host header, which the client chooses."""
    prefix = get_script_prefix()
    if path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    return f"{settings.BASE_URL}{path}"


def _send(*, to: str, template: str, context: dict) -> None:
    """One plain-text message through the installation's mail settings (EMAIL_*): the
    first line of the template is the subject, the rest the body."""
    subject, _, body = render_to_string(template, context).strip().partition("\n")
    EmailMessage(subject.strip(), body.strip() + "\n", to=[to]).send()


def email_taken(*, email: str, user: AbstractBaseUser | None = None) -> bool:
    """Whether another account than `user` signs in with `email` (any case)."""
    found = get_user_model().objects.filter(username__iexact=email)
    if user is not None:
        found = found.exclude(pk=user.pk)
    return found.exists()


def email_change_token(*, user: User, new_email: str) -> str:
    """A signed token for moving `user` to `new_email`. It names the address the account
    has now, so it dies once used and when the address changed another way meanwhile."""
    payload = {"u": user.pk, "old": user.email.lower(), "new": new_email.lower()}
    return signing.dumps(payload, salt=EMAIL_CHANGE_SALT)


def email_change_request(*, user: User, new_email: str) -> None:
    """Send the confirmation link to `new_email`; nothing changes until it is followed.
    Raises AccountError when another account has that address already, or it is the
    account's own."""
    new_email = new_email.strip().lower()
    if new_email == user.email.lower():
        raise AccountError("This is your address already.")
    if email_taken(email=new_email, user=user):
        raise AccountError("Another account uses this address already.")
    token = email_change_token(user=user, new_email=new_email)
    link = absolute_url(reverse("email-change-confirm", args=[token]))
    hours = EMAIL_CHANGE_MAX_AGE // 3600
    _send(
        to=new_email,
        template="accounts/email_change_confirm.txt",
        context={"user": user, "new_email": new_email, "link": link, "hours": hours},
    )


@dataclass(frozen=True)
class EmailChanged:
    user: User
    old_email: str


def email_change_confirm(*, token: str) -> EmailChanged:
    """Move the account the token names to its new address (login and e-mail) and tell
    the old address. Raises AccountError for a token that is forged, expired, used, or
    whose address another account took meanwhile."""
    try:
        payload = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired:
        raise AccountError("This link has expired: ask for a new one.") from None
    except signing.BadSignature:
        raise AccountError("This link is not valid: ask for a new one.") from None
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().filter(pk=payload["u"]).first()
        if user is None or not user.is_active or user.email.lower() != payload["old"]:
            raise AccountError("This link has been used or is no longer valid.")
        if email_taken(email=payload["new"], user=user):
            raise AccountError("Another account uses this address now: the change is off.")
        old_email = user.email
        user.email = user.username = payload["new"]
        user.save(update_fields=["email", "username"])
    _send(
        to=old_email,
        template="accounts/email_changed_notice.txt",
        context={"user": user, "old_email": old_email, "new_email": user.email},
    )
    return EmailChanged(user=user, old_email=old_email)


# Two-factor sign-in


def two_factor_enabled(*, user: AbstractBaseUser) -> bool:
    """Whether signing in as `user` asks for a code after the password."""
    return user_has_device(user, confirmed=True)


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's authenticator not yet confirmed by a code, made when there is none:
    reloading the setup page keeps showing the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_secret(*, device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in (base32, in groups of four)."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(*, device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (drawn here, no network)."""
    out = io.BytesIO()
    # Dark on white whatever the page's theme: cameras read a light-on-dark code badly.
    segno.make(device.config_url, error="m").save(
        out, kind="svg", scale=5, border=4, dark="#000", light="#fff", xmldecl=False,
        svgns=True, title="QR code for your authenticator app",
    )  # fmt: skip
    return out.getvalue().decode()


def _clean_code(code: str) -> str:
    return "".join(code.split()).lower()


def two_factor_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm `device` with a code from the app; None when the code is wrong. On success
    the account's other devices go and new recovery codes are made: they are returned
    once, for the user to keep, and stored only as the devices' tokens."""
    with transaction.atomic():
        if not device.verify_token(_clean_code(code)):
            return None
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return recovery_codes_make(user=device.user)


def recovery_codes_make(*, user: User) -> list[str]:
    """New one-time recovery codes for `user`, replacing any earlier ones."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


def two_factor_verify(*, user: AbstractBaseUser, code: str) -> Device | None:
    """The confirmed device of `user` that accepts `code` (an app's code or an unused
    recovery code, which is used up), or None. django-otp's throttling applies: after a
    wrong code each device refuses for a growing delay."""
    code = _clean_code(code)
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def two_factor_wait(*, user: AbstractBaseUser) -> int:
    """Seconds until `user`'s devices take a code again after wrong ones (0: now)."""
    now = timezone.now()
    wait = 0.0
    for device in devices_for_user(user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            wait = max(wait, (data["locked_until"] - now).total_seconds())
    return math.ceil(wait)


def two_factor_remove(*, user: AbstractBaseUser) -> int:
    """Remove all of `user`'s two-factor devices (and recovery codes); how many went."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        count, _ = model.objects.filter(user_id=user.pk).delete()
        removed += count
    return removed


def user_by_email(*, email: str) -> User:
    """The account that signs in with `email` (any case); AccountError when none."""
    user = get_user_model().objects.filter(username__iexact=email.strip()).first()
    if user is None:
        raise AccountError(f"No account with the e-mail {email.strip()}.")
    return user


def user_set_active(*, user: User, active: bool) -> None:
    """Let `user` sign in again, or stop them: a deactivated account's open sessions end
    on their next request (Django's ModelBackend drops an inactive user)."""
    user.is_active = active
    user.save(update_fields=["is_active"])
