from django.urls import path

from followthrough.reminders import views

app_name = "reminders"

urlpatterns = [
    path("settings/reminders/", views.reminders_settings, name="settings"),
    path("settings/status/", views.status, name="status"),
]
