from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "followthrough.workspaces"
    label = "workspaces"
    verbose_name = "Workspaces"

    def ready(self) -> None:
        from followthrough.workspaces import checks  # noqa: F401 (registers the checks)
