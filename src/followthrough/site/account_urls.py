from django.contrib.auth import views as auth_views
from django.urls import path

from followthrough.accounts.signin import LoginView
from followthrough.site import views
from followthrough.workspaces.forms import LoginForm

urlpatterns = [
    path(
        "login/",
        # Ours: a second step for accounts with two-factor sign-in.
        LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("invite/<str:token>/", views.invite_accept, name="invite-accept"),
    path("new-workspace/", views.workspace_new, name="workspace-new"),
]
