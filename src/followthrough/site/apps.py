from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "followthrough.site"
    label = "site"
    verbose_name = "Site"
