from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "followthrough.mail"
    label = "mail"
    verbose_name = "E-mail"

    def ready(self) -> None:
        from followthrough.mail.sending import message_send_lost
        from followthrough.workspaces.periodic import register_lost_task

        register_lost_task("followthrough.mail.tasks.send_message_task", message_send_lost)
