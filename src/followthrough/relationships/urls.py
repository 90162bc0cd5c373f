from django.urls import path

from followthrough.relationships import views

app_name = "relationships"

urlpatterns = [
    path("people/<int:person_id>/log/", views.interaction_log, name="interaction-log"),
    path("people/<int:person_id>/relationship/", views.relationship_edit, name="relationship-edit"),
    path("people/<int:person_id>/follow-ups/new/", views.follow_up_new, name="follow-up-new"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow-up-done"),
    path("follow-ups/<int:pk>/snooze/", views.follow_up_snooze, name="follow-up-snooze"),
    path(
        "follow-ups/<int:pk>/reschedule/", views.follow_up_reschedule, name="follow-up-reschedule"
    ),
]
