from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "followthrough.exchange"
    label = "exchange"
    verbose_name = "Import and export"
