from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "followthrough.reminders"
    label = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        from followthrough.reminders.lost_tasks import tasks_lost_recover
        from followthrough.reminders.tasks import digest_tick, heartbeat_tick
        from followthrough.workspaces.periodic import register_periodic, register_recovery

        register_periodic("worker heartbeat", heartbeat_tick)
        register_periodic("weekly digests", digest_tick)
        register_recovery("tasks of a worker that died", tasks_lost_recover)
