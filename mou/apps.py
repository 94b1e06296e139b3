from django.apps import AppConfig


class MouConfig(AppConfig):
    name = "mou"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from core.vocabulary import register
        from mou.choices import VOCABULARIES

        register(*VOCABULARIES)
