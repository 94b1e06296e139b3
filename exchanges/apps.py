from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "exchanges"
    verbose_name = "Staff exchanges"

    def ready(self) -> None:
        from core.vocabulary import register
        from exchanges.choices import VOCABULARIES

        register(*VOCABULARIES)
