from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        from core.vocabulary import register
        from reminders.choices import VOCABULARIES

        register(*VOCABULARIES)
