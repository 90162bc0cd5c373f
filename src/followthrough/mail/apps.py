from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.workspaces.models import Workspace


def _member_removed(workspace: Workspace, user: User, successor: User) -> None:
    """Someone left the workspace: their signature for its e-mail goes (what they sent
    stays in the outbox and on the timelines)."""
    from followthrough.mail.models import SenderProfile

    SenderProfile.objects.filter(workspace=workspace, user=user).delete()


class MailConfig(AppConfig):
    name = "followthrough.mail"
    label = "mail"
    verbose_name = "E-mail"

    def ready(self) -> None:
        from followthrough.mail.sending import message_send_lost
        from followthrough.workspaces.hooks import register_member_removed
        from followthrough.workspaces.periodic import register_lost_task

        register_lost_task("followthrough.mail.tasks.send_message_task", message_send_lost)
        register_member_removed(_member_removed)
