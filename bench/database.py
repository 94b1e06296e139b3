"""The benchmark's own database: created next to the application's, never the same one.

Its name is the configured database's name plus ``_bench`` (``accord_bench`` for the
embedded server). It is created and migrated with Django's test-database machinery
(``setup_databases``), emptied between sizes, and dropped at the end, so the application's
data is never read or written.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

SUFFIX = "_bench"
# Apps whose rows the generator writes (with their history event tables); auth groups,
# permissions and content types made by migrations are kept.
DATA_APPS = ("institutes", "mou", "exchanges", "reminders", "pghistory", "authtoken", "api_tokens")
EXTRA_TABLES = ("auth_user", "django_session")


def bench_database_name() -> str:
    return f"{connection.settings_dict['NAME']}{SUFFIX}"


def create() -> Any:
    """Create and migrate the benchmark database; returns what ``drop`` needs."""
    name = bench_database_name()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    old_config = setup_databases(
        verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
    )
    if not connection.settings_dict["NAME"].endswith(SUFFIX):  # pragma: no cover - a guard
        raise RuntimeError(f"Refusing to run against {connection.settings_dict['NAME']!r}")
    return old_config


def drop(old_config: Any) -> None:
    teardown_databases(old_config, verbosity=0)


def empty() -> None:
    """Remove every generated row (and its history) so the next size starts clean."""
    tables = {
        model._meta.db_table
        for app in DATA_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    tables.update(EXTRA_TABLES)
    quoted = ", ".join(connection.ops.quote_name(table) for table in sorted(tables))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


def empty_reminders() -> None:
    """Forget every reminder and digest, so that a scan starts from nothing again."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reminders_reminder, reminders_digest RESTART IDENTITY CASCADE")


def analyse() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give them soon after."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
