from django.urls import path

from followthrough.events import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="event-list"),
    path("events/new/", views.event_new, name="event-new"),
    path("events/<int:pk>/", views.event_detail, name="event-detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("events/<int:pk>/attendees/", views.attendee_add, name="attendee-add"),
    path("events/<int:pk>/attendees/search/", views.attendee_search, name="attendee-search"),
    path(
        "events/<int:pk>/attendees/<int:person_id>/remove/",
        views.attendee_remove,
        name="attendee-remove",
    ),
    path("events/<int:pk>/picks/", views.focus_pick, name="focus-pick"),
    path("events/<int:pk>/picks/<int:person_id>/remove/", views.focus_unpick, name="focus-unpick"),
    path("events/<int:pk>/capture/", views.capture_event, name="capture-event"),
    path("capture/", views.capture, name="capture"),
]
