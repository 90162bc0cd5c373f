from django.apps import AppConfig


class SequencesConfig(AppConfig):
    name = "followthrough.sequences"
    label = "sequences"
    verbose_name = "Sequences"
