from django.apps import AppConfig


class MouConfig(AppConfig):
    name = "mou"
    verbose_name = "Agreements"
