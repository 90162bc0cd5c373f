"""Forms of the mail room. Every value that becomes a header is refused with a line
break in it (header injection), naming the field."""

from __future__ import annotations

from typing import Any

from django import forms

from followthrough.limits import NOTE_MAX, PASSWORD_MAX, TEXT_MAX
from followthrough.mail.invitations import MAX_PROPOSALS
from followthrough.mail.merge import MergeError, compile_template
from followthrough.mail.models import EmailTemplate, MailSettings, SenderProfile


def _one_line(form: forms.BaseForm, *names: str) -> None:
    for name in names:
        value = form.cleaned_data.get(name)
        if isinstance(value, str) and ("\r" in value or "\n" in value):
            form.add_error(name, "A line break is not allowed here.")


class MailSettingsForm(forms.ModelForm):
    """The password is write-only: the field never shows it (not even masked); left
    blank it keeps the one saved; "forget" clears it."""

    new_password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave blank to keep the password saved. It is never shown again.",
    )
    forget_password = forms.BooleanField(label="Forget the saved password", required=False)
    # The model's own bounds, said by the form too (the browser's min and max).
    port = forms.IntegerField(label="Port", min_value=1, max_value=65_535, initial=587)
    timeout = forms.IntegerField(
        label="Timeout",
        min_value=1,
        max_value=120,
        initial=20,
        help_text="Seconds to wait for the mail server before giving up on an attempt.",
    )

    class Meta:
        model = MailSettings
        fields = ["host", "port", "security", "username", "from_address", "from_name", "timeout"]
        labels = {
            "host": "SMTP server",
            "from_address": "From address",
            "from_name": "From name (when the sender has none)",
        }

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        _one_line(self, "host", "username", "from_address", "from_name", "new_password")
        return cleaned


class SenderProfileForm(forms.ModelForm):
    signature = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text, added where a template says.",
    )

    class Meta:
        model = SenderProfile
        fields = ["display_name", "signature"]
        labels = {"display_name": "Your name as recipients see it"}

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        _one_line(self, "display_name")
        return cleaned


class EmailTemplateForm(forms.ModelForm):
    body = forms.CharField(max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 14}))

    class Meta:
        model = EmailTemplate
        fields = ["name", "purpose", "subject", "body"]

    def _template(self, name: str) -> str:
        value: str = self.cleaned_data.get(name, "")
        try:
            compile_template(value)
        except MergeError as error:
            raise forms.ValidationError(str(error)) from None
        return value

    def clean_subject(self) -> str:
        return self._template("subject")

    def clean_body(self) -> str:
        return self._template("body")

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        _one_line(self, "name", "subject")
        return cleaned


class ComposeForm(forms.Form):
    to = forms.ChoiceField(label="To")
    subject = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}), strip=False, max_length=NOTE_MAX
    )

    def __init__(self, *args: Any, addresses: list[str], coffee: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)
        to.choices = [(address, address) for address in addresses]
        self.coffee = coffee
        if coffee:
            for number in range(1, MAX_PROPOSALS + 1):
                self.fields[f"time_{number}"] = forms.DateTimeField(
                    label=f"Proposed time {number}",
                    required=number == 1,
                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                )
            self.fields["minutes"] = forms.IntegerField(
                label="How long (minutes)", min_value=15, max_value=240, initial=45
            )
            self.fields["place"] = forms.CharField(max_length=200, required=False)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        _one_line(self, "to", "subject", "place")
        return cleaned

    def proposed_times(self) -> list:
        times = [self.cleaned_data.get(f"time_{n}") for n in range(1, MAX_PROPOSALS + 1)]
        return sorted(t for t in times if t is not None)
