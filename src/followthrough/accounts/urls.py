"""The signed-in user's own account: password, e-mail address, two-factor sign-in.

Django's own names for the password views (`password_reset_confirm`, …): its views
redirect to them by name."""

from django.contrib.auth import views as auth_views
from django.urls import path

from followthrough.accounts import signin, views

urlpatterns = [
    path("", views.account, name="account"),
    path("login/code/", signin.login_code, name="login-code"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("email/", views.email_change, name="email-change"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email-change-confirm"),
    path("two-factor/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/off/", views.two_factor_disable, name="two-factor-disable"),
    path("two-factor/recovery-codes/", views.recovery_codes_new, name="recovery-codes-new"),
]
