from django.apps import AppConfig


class WatchConfig(AppConfig):
    name = "followthrough.watch"
    label = "watch"
    verbose_name = "Watched feeds"
