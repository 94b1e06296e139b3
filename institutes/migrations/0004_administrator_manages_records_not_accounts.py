"""Least privilege: the Administrator role no longer manages accounts, groups, permissions or
tokens (it could tick is_superuser on itself, or mint a token for someone else). It may
still look users and groups up, to link a person to an account. Superusers manage accounts."""

from django.db import migrations

from core.migration_helpers import grant_app_permissions, revoke_app_permissions


def narrow(apps, schema_editor):
    revoke_app_permissions(apps, "Administrator", ["auth", "authtoken"])
    grant_app_permissions(apps, "Administrator", ["auth"], only=["view_user", "view_group"])


def widen(apps, schema_editor):
    grant_app_permissions(apps, "Administrator", ["auth", "authtoken"])


class Migration(migrations.Migration):
    dependencies = [("institutes", "0003_search_indexes")]

    operations = [migrations.RunPython(narrow, widen)]
