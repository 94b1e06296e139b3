from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _grant_app_privileges(using: str, **kwargs: object) -> None:
    from django.db import connections

    from core import dbroles

    # Set while ``migrate`` runs as the owner role (core.dbroles.as_owner).
    app_role = connections[using].settings_dict.get("APP_ROLE")
    if app_role:
        dbroles.grant_app_privileges(connections[using], app=app_role)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # core comes after pghistory in INSTALLED_APPS, so this runs after pghistory has
        # reinstalled its context function on post_migrate.
        post_migrate.connect(
            _grant_app_privileges, sender=self, dispatch_uid="core-grant-app-privileges"
        )
