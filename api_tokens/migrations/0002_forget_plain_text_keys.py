from django.db import migrations


def forget_plain_text_keys(apps, schema_editor):
    """DRF's tokens held their keys in plain text; the API no longer accepts them."""
    apps.get_model("authtoken", "Token").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api_tokens", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(forget_plain_text_keys, migrations.RunPython.noop)]
