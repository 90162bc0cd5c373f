"""The forms of mail: a mailbox file to upload, a member's IMAP account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import validate_email

from followthrough.exchange.imports.forms import MAX_UPLOAD_BYTES
from followthrough.exchange.mailbox.imap import LOOPBACK
from followthrough.exchange.models import MailboxAccount, MailboxSecurity
from followthrough.limits import LINES_MAX, PASSWORD_MAX


def _addresses(value: str) -> list[str]:
    """Addresses written one per line or separated by commas, each checked."""
    found = [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]
    for address in found:
        try:
            validate_email(address)
        except forms.ValidationError:
            raise forms.ValidationError(f"“{address[:80]}” is no e-mail address.") from None
    return found


class MailUploadForm(forms.Form):
    mail_file = forms.FileField(
        label="E-mail: .mbox or .eml",
        help_text="A Thunderbird folder, a Google Takeout mailbox or one saved message; up to "
        "50 MB (larger ones: `followthrough import mbox FILE`).",
    )
    me = forms.CharField(
        required=False,
        max_length=LINES_MAX,
        label="Our other addresses",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Messages from the members' account e-mails count as sent by us; add any "
        "other address of ours here (one per line).",
    )

    def clean_mail_file(self) -> Any:
        upload = self.cleaned_data["mail_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB; the limit is 50 MB. "
                "Import it with `followthrough import mbox FILE`."
            )
        if upload.size == 0:
            raise forms.ValidationError("This file is empty.")
        return upload

    def clean_me(self) -> list[str]:
        return _addresses(self.cleaned_data["me"])

    def mail_format(self) -> str:
        """ "eml" for a file named so, else "mbox" (Takeout and Thunderbird folders often
        have no extension at all)."""
        name = (self.cleaned_data["mail_file"].name or "").lower()
        return "eml" if name.endswith(".eml") else "mbox"


class MailboxAccountForm(forms.ModelForm):
    """The password is write-only: never rendered back; left blank, it is kept."""

    port = forms.IntegerField(min_value=1, max_value=65_535, initial=993)

    password = forms.CharField(
        required=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Left blank, the saved password is kept. Use an app password where the "
        "provider offers one.",
    )

    class Meta:
        model = MailboxAccount
        fields = ["host", "port", "security", "username", "password", "folder", "enabled"]
        help_texts = {
            "folder": "The folder to read, e.g. INBOX.",
            "enabled": "Checked every 15 minutes while enabled.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved_password = self.instance.password if self.instance.pk else ""

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if not password and not self._saved_password:
            raise forms.ValidationError("Give the mailbox's password.")
        return password or self._saved_password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean() returns cleaned_data
        host = (cleaned.get("host") or "").strip().lower()
        if cleaned.get("security") == MailboxSecurity.PLAIN and host and host not in LOOPBACK:
            self.add_error(
                "security",
                "Without encryption the password would cross the network in clear: choose "
                "SSL/TLS or STARTTLS (no encryption is for a server on this machine).",
            )
        return cleaned

    def clean_port(self) -> int:
        port = self.cleaned_data["port"]
        if not 1 <= port <= 65535:
            raise forms.ValidationError("A port is a number from 1 to 65535.")
        return port
