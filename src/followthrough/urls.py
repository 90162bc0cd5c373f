from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from followthrough.site import views as site_views

W = "w/<slug:workspace_slug>/"

urlpatterns = [
    path("", site_views.home, name="home"),
    path("accounts/", include("followthrough.site.account_urls")),
    path("accounts/", include("followthrough.accounts.urls")),
    # The admin signs in through our log-in page, which asks for the two-factor code;
    # the admin's own would log a session in on the password alone.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("reminders/", include("followthrough.reminders.public_urls")),
    path(W, include("followthrough.agenda.urls")),
    path(W, include("followthrough.outreach.urls")),
    path(W + "settings/", include("followthrough.workspaces.urls")),
    path(W, include("followthrough.directory.urls")),
    path(W, include("followthrough.events.urls")),
    path(W, include("followthrough.relationships.urls")),
    path(W, include("followthrough.exchange.urls")),
    path(W, include("followthrough.watch.urls")),
    path(W, include("followthrough.mail.urls")),
    path(W, include("followthrough.sequences.urls")),
    path(W, include("followthrough.reminders.urls")),
]

handler500 = "followthrough.site.errors.server_error"
