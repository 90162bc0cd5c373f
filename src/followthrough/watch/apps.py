from django.apps import AppConfig


class WatchConfig(AppConfig):
    name = "followthrough.watch"
    label = "watch"
    verbose_name = "Watched feeds"

    def ready(self) -> None:
        from followthrough.watch.tasks import tick
        from followthrough.workspaces.periodic import register_periodic

        register_periodic("watched feeds", tick)
