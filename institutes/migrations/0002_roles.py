from django.db import migrations

from core.migration_helpers import grant_app_permissions

ROLES = [
    "Policy officer",
    "Commitment owner",
    "Exchange coordinator",
    "Reporting analyst",
    "Administrator",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    grant_app_permissions(apps, "Administrator", ["institutes", "auth", "authtoken"])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("institutes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
