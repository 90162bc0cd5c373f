from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.core import checks

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.workspaces.models import Workspace


def _member_removed(workspace: Workspace, user: User, successor: User) -> None:
    """Someone left the workspace: their IMAP connection goes, password and all, so the
    worker stops reading their mail into its timelines."""
    from followthrough.exchange.models import MailboxAccount

    MailboxAccount.objects.filter(workspace=workspace, user=user).delete()


class ExchangeConfig(AppConfig):
    name = "followthrough.exchange"
    label = "exchange"
    verbose_name = "Import and export"

    def ready(self) -> None:
        from followthrough.exchange.backup.downloads import backup_files_tick
        from followthrough.exchange.backup.restore_cleanup import restores_abandoned_cleanup
        from followthrough.exchange.backup.sections import check_sections
        from followthrough.exchange.getting_started import register_import_step
        from followthrough.exchange.imports.recovery import imports_recover_interrupted
        from followthrough.exchange.mailbox.tasks import tick
        from followthrough.workspaces.hooks import register_member_removed
        from followthrough.workspaces.periodic import register_periodic, register_recovery

        checks.register(check_sections, checks.Tags.models)
        register_import_step()
        register_periodic("mailboxes", tick)
        register_periodic("backup files", backup_files_tick)
        register_member_removed(_member_removed)
        register_recovery("restores whose process is gone", restores_abandoned_cleanup)
        register_recovery("imports whose process is gone", imports_recover_interrupted)
