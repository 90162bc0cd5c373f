from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "followthrough.mail"
    label = "mail"
    verbose_name = "E-mail"
