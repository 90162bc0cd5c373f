from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm

from followthrough.limits import PASSWORD_MAX
from followthrough.workspaces.models import MAX_NUDGES, Role, Workspace, parse_nudge_gaps
from followthrough.workspaces.timezones import UTC, zone_choices


def timezone_field(**kwargs: Any) -> forms.ChoiceField:
    """The time zone `<select>`, grouped by region; `timezone.js` adds a search box and,
    where the field asks for it, fills in the browser's zone."""
    kwargs.setdefault("initial", UTC)
    return forms.ChoiceField(
        label="Time zone",
        choices=zone_choices(),
        help_text="Follow-ups come due and events show in this zone.",
        widget=forms.Select(attrs={"data-timezone": "", "autocomplete": "off"}),
        **kwargs,
    )


class _BrowserZone:
    """A form whose zone starts as the browser's (`data-timezone-browser`), since a new
    account has no zone yet; without the script it stays UTC."""

    def _browser_default(self) -> None:
        # Only on a blank form: a posted one shows back what the person chose.
        if "timezone" in self.fields and not self.is_bound:  # type: ignore[attr-defined]
            self.fields["timezone"].widget.attrs["data-timezone-browser"] = ""  # type: ignore[attr-defined]


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    # Django's own message names the user model's "username"; people log in by e-mail.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That e-mail and password do not match an account. "
        "The password is case-sensitive.",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].lower()


class SignUpForm(_BrowserZone, forms.Form):
    name = forms.CharField(label="Your name", max_length=150)
    email = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; a passphrase is best.",
    )
    workspace_name = forms.CharField(
        label="Your organization",
        max_length=200,
        help_text="Your team's workspace is named after it.",
    )
    timezone = timezone_field(required=False)  # left out: UTC, until an owner chooses

    def __init__(self, *args, invited_email: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._browser_default()
        if invited_email is not None:
            # The account is the invited address's: a disabled field ignores what is
            # posted for it and keeps this value. The workspace has its zone already.
            del self.fields["workspace_name"]
            del self.fields["timezone"]
            self.fields["email"].disabled = True
            self.fields["email"].initial = invited_email
            self.fields["email"].help_text = "The invitation is for this address."

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(username=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail exists already — log in instead."
            )
        return email

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # BaseForm.clean() returns cleaned_data
        password = cleaned.get("password")
        if password:
            user = get_user_model()(
                username=cleaned.get("email", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("name", ""),
            )
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class WorkspaceNewForm(_BrowserZone, forms.Form):
    name = forms.CharField(label="Organization name", max_length=200)
    timezone = timezone_field(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._browser_default()


def _bounded(name: str, label: str, low: int, high: int) -> forms.IntegerField:
    """A number of the workspace's settings, with the model field's help text."""
    field = Workspace._meta.get_field(name)
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, help_text=str(getattr(field, "help_text", ""))
    )


class WorkspaceSettingsForm(forms.ModelForm):
    timezone = timezone_field()
    # The model's numbers, bounded (the browser's min and max, and a message on the field).
    focus_pick_limit = _bounded("focus_pick_limit", "Focus picks per event", 1, 20)
    follow_up_window_hours = _bounded(
        "follow_up_window_hours", "Follow up within (hours)", 1, 24 * 30
    )
    nudge_cap = _bounded("nudge_cap", "Nudges before going quiet", 1, MAX_NUDGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A zone the list does not offer (an older workspace's `US/Eastern`) stays choosable.
        field = self.fields["timezone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = zone_choices(self.instance.timezone)

    def save(self, commit: bool = True) -> Workspace:
        self.instance.timezone_chosen = True
        return super().save(commit)

    class Meta:
        model = Workspace
        fields = [
            "name",
            "timezone",
            "focus_pick_limit",
            "follow_up_window_hours",
            "nudge_gaps",
            "nudge_cap",
            "match_engine",
            "export_role",
        ]
        labels = {
            "export_role": "Who may download exports and backups",
            "nudge_gaps": "Nudge after (days)",
            "nudge_cap": "Nudges before going quiet",
            "match_engine": "Finding partners",
            "focus_pick_limit": "Focus picks per event",
            "follow_up_window_hours": "Follow up within (hours)",
        }

    def clean_focus_pick_limit(self) -> int:
        value = self.cleaned_data["focus_pick_limit"]
        if value < 1:
            raise forms.ValidationError("Pick at least one person per event.")
        return value

    def clean_nudge_gaps(self) -> str:
        # Stored in one spelling, so the settings page shows back what the rule reads.
        return ", ".join(str(gap) for gap in parse_nudge_gaps(self.cleaned_data["nudge_gaps"]))

    def clean_nudge_cap(self) -> int:
        value = self.cleaned_data["nudge_cap"]
        if not 1 <= value <= MAX_NUDGES:
            raise forms.ValidationError(f"Nudge between 1 and {MAX_NUDGES} times.")
        return value

    def clean_follow_up_window_hours(self) -> int:
        value = self.cleaned_data["follow_up_window_hours"]
        if value < 1:
            raise forms.ValidationError("The follow-up window is at least one hour.")
        return value


class InviteForm(forms.Form):
    email = forms.EmailField(label="Their e-mail")
    role = forms.ChoiceField(choices=[(Role.MEMBER, "Member"), (Role.VIEWER, "Viewer (read-only)")])


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SuccessorForm(forms.Form):
    """Which owner takes over the relationships and open follow-ups of someone leaving."""

    successor = forms.TypedChoiceField(coerce=int, label="Hand their relationships to")

    def __init__(self, *args, owners: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {user.pk: user for user in owners}
        field = self.fields["successor"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(user.pk, user.get_full_name() or user.email) for user in owners]

    def chosen(self) -> Any:
        return self.owners[self.cleaned_data["successor"]]
