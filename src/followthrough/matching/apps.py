from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "followthrough.matching"
    label = "matching"
    verbose_name = "Mission intersection"
