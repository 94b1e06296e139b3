from django.db import migrations

from core.migration_helpers import grant_app_permissions, revoke_app_permissions


def grant(apps, schema_editor):
    grant_app_permissions(apps, "Administrator", ["mou"])


def revoke(apps, schema_editor):
    revoke_app_permissions(apps, "Administrator", ["mou"])


class Migration(migrations.Migration):
    dependencies = [
        ("mou", "0001_initial"),
        ("institutes", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
