from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "followthrough.events"
    label = "events"

    def ready(self) -> None:
        from followthrough.events import merge
        from followthrough.events.models import Attendance, FocusPick
        from followthrough.people import registry

        registry.register_merge_policy(Attendance, merge.merge_attendances)
        registry.register_merge_policy(FocusPick, merge.merge_focus_picks)
