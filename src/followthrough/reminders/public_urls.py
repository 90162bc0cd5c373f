"""Addresses that work without logging in, their token the credential; outside
`/w/<slug>/`, whose every page asks for a log-in."""

from django.urls import path

from followthrough.reminders import views

app_name = "reminders-public"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("calendar/<str:token>.ics", views.calendar, name="calendar"),
]
