"""Two database roles, so that the history cannot be rewritten by the application.

- The **owner** role owns the schema and every table; migrations run as it.
- The **app** role, which the web server and workers connect as, owns nothing and is not
  a superuser: it reads and writes rows, but cannot ``TRUNCATE``, ``ALTER`` (so cannot
  disable a trigger), set ``session_replication_role`` (a superuser-only parameter), nor
  ``UPDATE``/``DELETE`` rows of the history event tables, ``pghistory_context`` or the
  security log.

``ensure_roles`` creates both roles (run as a superuser: the embedded server at start-up,
``manage.py setup_db_roles`` elsewhere). ``grant_app_privileges`` gives the app role its
rights; it runs after every ``migrate`` (see ``core.apps``), as the owner.

Imported by the settings (through ``core.runtime``), so it must not import Django models
at module level.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

OWNER_ROLE = "accord_owner"
APP_ROLE = "accord_app"

# Tables whose rows are history: the app role may add rows but never change or remove one.
_EXTRA_APPEND_ONLY_TABLES = ("pghistory_context", "django_migrations")


def _quote(name: str) -> str:
    from psycopg import sql

    return sql.Identifier(name).as_string(None)


def ensure_roles(
    conn: Any,
    *,
    database: str,
    owner: str = OWNER_ROLE,
    app: str = APP_ROLE,
    owner_password: str | None = None,
    app_password: str | None = None,
) -> None:
    """Create the owner and app roles (idempotent) and hand the database to the owner.

    ``conn`` is an autocommit psycopg connection as a superuser, to ``database``. Objects
    already in the public schema (a database migrated before the roles existed) are handed
    to the owner too.
    """
    from psycopg import errors, sql

    # The owner may create databases (the test suite and benchmarks make their own).
    for role, password, createdb in (
        (owner, owner_password, "CREATEDB"),
        (app, app_password, "NOCREATEDB"),
    ):
        # Made already, perhaps by a parallel process at the same moment: fine.
        with contextlib.suppress(errors.DuplicateObject, errors.UniqueViolation):
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        conn.execute(
            sql.SQL("ALTER ROLE {} NOSUPERUSER {} NOCREATEROLE NOBYPASSRLS").format(
                sql.Identifier(role), sql.SQL(createdb)
            )
        )
        if password:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
    owner_id = sql.Identifier(owner)
    conn.execute(
        sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), owner_id)
    )
    conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner_id))
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database)))
    conn.execute(
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
            sql.Identifier(database), sql.Identifier(app)
        )
    )
    foreign = conn.execute(
        """
        SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                              WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
               c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
          AND pg_get_userbyid(c.relowner) <> %s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
        """,
        [owner],
    ).fetchall()
    for kind, name in foreign:
        conn.execute(
            sql.SQL("ALTER {} {} OWNER TO {}").format(sql.SQL(kind), sql.Identifier(name), owner_id)
        )
    functions = conn.execute(
        """
        SELECT p.oid::regprocedure::text FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> %s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
        """,
        [owner],
    ).fetchall()
    for (signature,) in functions:
        conn.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), owner_id))


def append_only_tables() -> list[str]:
    """The history event tables, ``pghistory_context`` and every append-only model's table."""
    from django.apps import apps
    from pghistory.models import Event

    tables = {m._meta.db_table for m in apps.get_models() if issubclass(m, Event)}
    tables |= {
        m._meta.db_table for m in apps.get_models() if getattr(m, "append_only", False) is True
    }
    return sorted(tables | set(_EXTRA_APPEND_ONLY_TABLES))


def grant_app_privileges(connection: Any, *, app: str) -> None:
    """Give the app role row access to every table, less UPDATE/DELETE on history tables.

    Runs as the owner after each migration, so new tables are covered and every grant is
    restated. TRUNCATE, REFERENCES and TRIGGER are never granted.
    """
    role = _quote(app)
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(f"REVOKE CREATE ON SCHEMA public FROM {role}")
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        for table in append_only_tables():
            if table in existing:
                cursor.execute(f"REVOKE UPDATE, DELETE ON {_quote(table)} FROM {role}")
        # pghistory's trigger function upserts the context row of the current transaction;
        # it runs with the owner's rights so that the app role needs no UPDATE on the table
        # (the table's own trigger allows an update only within the transaction that made it).
        cursor.execute(
            "SELECT 1 FROM pg_proc WHERE proname = '_pgh_attach_context' "
            "AND pronamespace = 'public'::regnamespace"
        )
        if cursor.fetchone():
            cursor.execute(
                "ALTER FUNCTION _pgh_attach_context() SECURITY DEFINER "
                "SET search_path = public, pg_temp"
            )


def configured_roles(settings: Any, alias: str = "default") -> tuple[dict[str, Any], str] | None:
    """(owner credentials, app role name) when the settings name a separate owner, else None."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    if not owner:
        return None
    app = settings.DATABASES[alias]["USER"]
    if not app or app == owner.get("USER"):
        return None
    return owner, app


@contextmanager
def as_owner(connection: Any) -> Iterator[str | None]:
    """Connect ``connection`` as the owner role for the block (for migrations).

    Yields the app role's name, or None when no separate owner is configured (then the
    connection is left as it is).
    """
    from django.conf import settings

    roles = configured_roles(settings, connection.alias)
    if roles is None:
        yield None
        return
    owner, app = roles
    saved = {key: connection.settings_dict.get(key) for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update({key: owner.get(key, "") for key in ("USER", "PASSWORD")})
    connection.settings_dict["APP_ROLE"] = app
    try:
        yield app
    finally:
        connection.close()
        connection.settings_dict.pop("APP_ROLE", None)
        connection.settings_dict.update(saved)


def create_embedded_roles(*, host: str, port: int, dbname: str) -> None:
    """For the embedded server: create (or complete) both roles, as its superuser."""
    import psycopg

    with psycopg.connect(
        host=host, port=port, user="postgres", dbname=dbname, autocommit=True
    ) as conn:
        ensure_roles(conn, database=dbname)


def embedded_role_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The embedded server's settings for the app role, with the owner's under ``"OWNER"``.

    Pure: connects to nothing (the starter creates the roles, ``create_embedded_roles``).
    """
    # No password: the embedded server listens on a Unix socket in var/ only, trusted locally.
    return config | {"USER": APP_ROLE, "PASSWORD": "", "OWNER": {"USER": OWNER_ROLE}}  # nosec B105
