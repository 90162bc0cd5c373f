from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "followthrough.relationships"
    label = "relationships"
