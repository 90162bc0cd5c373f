from django.apps import AppConfig
from django.core import checks


class ExchangeConfig(AppConfig):
    name = "followthrough.exchange"
    label = "exchange"
    verbose_name = "Import and export"

    def ready(self) -> None:
        from followthrough.exchange.backup.downloads import backup_files_tick
        from followthrough.exchange.backup.sections import check_sections
        from followthrough.exchange.mailbox.tasks import tick
        from followthrough.workspaces.periodic import register_periodic

        checks.register(check_sections, checks.Tags.models)
        register_periodic("mailboxes", tick)
        register_periodic("backup files", backup_files_tick)
