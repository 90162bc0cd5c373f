from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "followthrough.directory"
    label = "directory"
    verbose_name = "Directory pages"
