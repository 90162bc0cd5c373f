from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "followthrough.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        from followthrough.outreach import services
        from followthrough.relationships import hooks

        hooks.on_interaction_logged(services.outreach_follow_interaction)
        hooks.on_interactions_logged(services.outreach_follow_interactions)
