"""Helpers for data migrations (they receive historical ``apps``, never real models)."""

from __future__ import annotations

from typing import Any


def grant_app_permissions(
    apps: Any, group_name: str, app_labels: list[str], *, only: list[str] | None = None
) -> None:
    """Give a role every model permission of the named apps (creating them if needed), or
    only the permissions whose codenames are listed in ``only``."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        if app_config.label in app_labels:
            app_config.models_module = True
            create_permissions(app_config, verbosity=0)
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    permissions = Permission.objects.filter(content_type__app_label__in=app_labels)
    if only is not None:
        permissions = permissions.filter(codename__in=only)
    group.permissions.add(*permissions)


def revoke_app_permissions(apps: Any, group_name: str, app_labels: list[str]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=group_name):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label__in=app_labels))
