from django.urls import path

from followthrough.outreach import views

app_name = "outreach"

urlpatterns = [
    path("people/<int:person_id>/outreach/", views.outreach_log, name="outreach-log"),
    path("people/<int:person_id>/replied/", views.outreach_replied, name="outreach-replied"),
    path("outreach/<int:pk>/nudge/", views.outreach_nudge, name="outreach-nudge"),
    path("outreach/<int:pk>/snooze/", views.outreach_snooze, name="outreach-snooze"),
    path("today/follow-ups/<int:pk>/done/", views.follow_up_done, name="follow-up-done"),
    path("today/follow-ups/<int:pk>/snooze/", views.follow_up_snooze, name="follow-up-snooze"),
    path("undo/", views.outreach_undo, name="outreach-undo"),
]
