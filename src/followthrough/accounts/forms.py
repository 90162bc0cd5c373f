from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse

from followthrough.accounts import throttle
from followthrough.accounts.services import absolute_url, email_taken
from followthrough.limits import PASSWORD_MAX


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form, for active accounts only, including those whose password was
    never set (an account a backup restore made, once an administrator activated it:
    the reset is how its owner gets in). Followthrough has no outside sign-in that an
    unusable password would stand for."""

    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email: str) -> Any:
        return (
            user
            for user in get_user_model().objects.filter(email__iexact=email, is_active=True)
            if user.email.lower() == email.lower()
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # The link on the configured BASE_URL: the request's Host header is the
        # asker's to choose, and a poisoned link would hand them the victim's token.
        path = reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        context["link"] = absolute_url(path)
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name,
        )


class _PasswordField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Your current password")
        widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
        super().__init__(strip=False, widget=widget, max_length=PASSWORD_MAX, **kwargs)


class _WithPassword(forms.Form):
    """A form that asks for the signed-in user's password before a sensitive change; a
    wrong one counts toward the log-in lockout."""

    password = _PasswordField()

    def __init__(
        self, *args: Any, user: AbstractBaseUser, request: HttpRequest, **kwargs: Any
    ) -> None:
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            throttle.failed(self.request, self.user)
            raise forms.ValidationError("This is not your current password.")
        return password


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form; a wrong old password counts toward the log-in lockout."""

    # Django's own fields and labels, with an upper limit (`PASSWORD_MAX`).
    old_password = _PasswordField(label="Old password")
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label="New password confirmation",
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: AbstractBaseUser, *args: Any, request: HttpRequest, **kwargs: Any):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            throttle.failed(self.request, self.user)
            raise


class EmailChangeForm(_WithPassword):
    email = forms.EmailField(
        label="New e-mail address",
        max_length=150,  # the login (username) holds it
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send a link to it; your address changes when you follow the link.",
    )
    field_order = ["email", "password"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email == (getattr(self.user, "email", "") or "").lower():
            raise forms.ValidationError("This is your address already.")
        if email_taken(email=email, user=self.user):
            raise forms.ValidationError("Another account uses this address already.")
        return email


class PasswordConfirmForm(_WithPassword):
    pass


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="The six digits the app shows for Followthrough now.",
    )
