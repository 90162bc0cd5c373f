from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "followthrough.site"
    label = "site"
    verbose_name = "Site"

    def ready(self) -> None:
        from followthrough.site import checks  # noqa: F401 (registers the checks)
