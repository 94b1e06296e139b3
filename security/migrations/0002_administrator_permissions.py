"""Administrators read the security log and can lift a sign-in lockout (delete the attempts)."""

from django.db import migrations

from core.migration_helpers import grant_app_permissions

GRANTS = {
    "security": ["view_securityevent"],
    "axes": [
        "view_accessattempt",
        "delete_accessattempt",
        "view_accesslog",
        "view_accessfailurelog",
    ],
}


def grant(apps, schema_editor):
    grant_app_permissions(apps, "Administrator", list(GRANTS), only=sum(GRANTS.values(), []))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Administrator"):
        group.permissions.remove(*Permission.objects.filter(codename__in=sum(GRANTS.values(), [])))


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
