from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "followthrough.agenda"
    label = "agenda"

    def ready(self) -> None:
        from followthrough.agenda.getting_started import register_own_steps

        register_own_steps()
