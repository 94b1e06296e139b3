"""The app's database role cannot rewrite history (core/dbroles.py).

Each test sets up an owner and an app role for the test database, gives the app role its
rights as ``migrate`` does, and then tries, connected as the app role, what an attacker
with the app's credentials would try.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from core import dbroles
from tests.factories import InstituteFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _params(user: str) -> dict[str, object]:
    s = connection.settings_dict
    return {
        "host": s["HOST"] or "127.0.0.1",
        "port": int(s["PORT"] or 5432),
        "user": user,
        "password": s["PASSWORD"] or None if user == s["USER"] else None,
        "dbname": s["NAME"],
    }


@pytest.fixture
def app_role() -> Iterator[str]:
    """Roles of this test database's own (roles are cluster-wide; parallel runs differ)."""
    database = connection.settings_dict["NAME"]
    owner, app = f"{database}_owner", f"{database}_app"
    superuser = connection.settings_dict["USER"]
    with psycopg.connect(**_params(superuser), autocommit=True) as conn:
        dbroles.ensure_roles(conn, database=database, owner=owner, app=app)
    connection.close()
    dbroles.grant_app_privileges(connection, app=app)
    yield app
    connection.close()
    with psycopg.connect(**_params(superuser), autocommit=True) as conn:
        for role in (app, owner):
            conn.execute(f'REASSIGN OWNED BY "{role}" TO "{superuser}"')
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def _as(role: str) -> psycopg.Connection:
    return psycopg.connect(**_params(role), autocommit=True)


def _refused(role: str, statement: str) -> str:
    with _as(role) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute(statement)
    return str(caught.value)


def _event_with_context(role: str, *, user: int) -> uuid.UUID:
    """As ``role``, rename an institute inside a pghistory context; returns the context id."""
    institute = InstituteFactory()
    context_id = uuid.uuid4()
    with _as(role) as conn, conn.transaction():
        conn.execute("SELECT set_config('pghistory.context_id', %s, true)", [str(context_id)])
        conn.execute(
            "SELECT set_config('pghistory.context_metadata', %s, true)", [f'{{"user": {user}}}']
        )
        conn.execute(
            "UPDATE institutes_institute SET name = 'Renamed' WHERE id = %s", [institute.pk]
        )
    return context_id


def test_app_role_is_neither_superuser_nor_owner(app_role: str) -> None:
    with _as(app_role) as conn:
        superuser, owned = conn.execute(
            "SELECT rolsuper, (SELECT count(*) FROM pg_class WHERE relowner = r.oid) "
            "FROM pg_roles r WHERE rolname = current_user"
        ).fetchone()
    assert superuser is False
    assert owned == 0


def test_app_role_writes_rows_and_history_is_recorded(app_role: str) -> None:
    context_id = _event_with_context(app_role, user=7)
    with _as(app_role) as conn:
        (metadata,) = conn.execute(
            "SELECT metadata FROM pghistory_context WHERE id = %s", [context_id]
        ).fetchone()
        (events,) = conn.execute(
            "SELECT count(*) FROM institutes_instituteevent WHERE pgh_context_id = %s",
            [context_id],
        ).fetchone()
    assert metadata == {"user": 7}
    assert events == 1


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE institutes_instituteevent",
        "TRUNCATE pghistory_context",
        "ALTER TABLE institutes_instituteevent DISABLE TRIGGER ALL",
        "ALTER TABLE institutes_institute DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "UPDATE institutes_instituteevent SET name = 'rewritten'",
        "DELETE FROM institutes_instituteevent",
        "UPDATE pghistory_context SET metadata = '{\"user\": 1}'",
        "DELETE FROM pghistory_context",
        "DROP TABLE institutes_instituteevent",
        "CREATE TABLE intruder (id int)",
    ],
)
def test_app_role_is_refused(app_role: str, statement: str) -> None:
    _event_with_context(app_role, user=7)
    message = _refused(app_role, statement)
    assert "permission denied" in message or "must be owner" in message
    with _as(app_role) as conn:
        (events,) = conn.execute("SELECT count(*) FROM institutes_instituteevent").fetchone()
        (contexts,) = conn.execute("SELECT count(*) FROM pghistory_context").fetchone()
    assert events >= 2  # the factory's insert and the rename, both still there
    assert contexts == 1


def test_recorded_actor_cannot_be_rewritten_through_the_context_function(app_role: str) -> None:
    context_id = _event_with_context(app_role, user=7)
    with (
        _as(app_role) as conn,
        pytest.raises(psycopg.Error, match="append-only"),
        conn.transaction(),
    ):
        conn.execute("SELECT set_config('pghistory.context_id', %s, true)", [str(context_id)])
        conn.execute("SELECT set_config('pghistory.context_metadata', '{\"user\": 1}', true)")
        conn.execute("SELECT _pgh_attach_context()")


def test_context_table_refuses_delete_even_for_its_owner() -> None:
    InstituteFactory()
    context_id = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
            "VALUES (%s, '{\"user\": 3}', now(), now())",
            [context_id],
        )
        with pytest.raises(Exception, match="append-only"):
            cursor.execute("DELETE FROM pghistory_context WHERE id = %s", [context_id])


def test_setup_db_roles_then_migrate_as_the_owner_leaves_the_app_role_its_rights_only():
    """The production path: roles made by a superuser, tables made and owned by the owner."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    base = connection.settings_dict["NAME"]
    database, owner, app = f"{base}_roles", f"{base}_ro", f"{base}_ra"
    s = connection.settings_dict
    host, port, superuser = s["HOST"] or "127.0.0.1", s["PORT"] or "5432", s["USER"]

    def url(user: str) -> str:
        return f"postgres://{user}@{host}:{port}/{database}"

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url(app),
        "DATABASE_OWNER_URL": url(owner),
    }
    admin = {**_params(superuser), "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        for args in (["setup_db_roles", "--superuser-url", url(superuser)], ["migrate", "-v0"]):
            result = subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=Path(__file__).resolve().parents[2],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert result.returncode == 0, result.stderr[-3000:]
        with psycopg.connect(**{**_params(superuser), "dbname": database}) as conn:
            owners = conn.execute(
                "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
            rights = conn.execute(
                "SELECT has_table_privilege(%s, 'mou_commitment', 'UPDATE'),"
                " has_table_privilege(%s, 'mou_commitmentevent', 'UPDATE'),"
                " has_table_privilege(%s, 'pghistory_context', 'DELETE'),"
                " has_table_privilege(%s, 'security_securityevent', 'DELETE'),"
                " has_table_privilege(%s, 'mou_commitment', 'TRUNCATE')",
                [app] * 5,
            ).fetchone()
        assert owners == [(owner,)]
        assert rights == (True, False, False, False, False)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            for role in (app, owner):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
