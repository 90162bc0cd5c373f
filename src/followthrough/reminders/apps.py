from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.workspaces.models import Workspace


def _member_removed(workspace: Workspace, user: User, successor: User) -> None:
    """Someone left the workspace: no more digests of it, and their calendar feed's
    address stops answering (the revoked row stays as the record of when)."""
    from followthrough.reminders.models import DigestSubscription
    from followthrough.reminders.services import calendar_feed_revoke

    DigestSubscription.objects.filter(workspace=workspace, user=user).delete()
    calendar_feed_revoke(workspace=workspace, user=user)


class RemindersConfig(AppConfig):
    name = "followthrough.reminders"
    label = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        from followthrough.reminders.lost_tasks import tasks_lost_recover
        from followthrough.reminders.tasks import digest_tick, heartbeat_tick
        from followthrough.workspaces.hooks import register_member_removed
        from followthrough.workspaces.periodic import register_periodic, register_recovery

        register_periodic("worker heartbeat", heartbeat_tick)
        register_periodic("weekly digests", digest_tick)
        register_recovery("tasks of a worker that died", tasks_lost_recover)
        register_member_removed(_member_removed)
