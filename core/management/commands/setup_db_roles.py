"""Create the owner and app database roles, as a PostgreSQL superuser.

    manage.py setup_db_roles --superuser-url postgres://postgres:…@db:5432/accord

The role names and passwords are those of DATABASE_OWNER_URL (owner) and DATABASE_URL
(app); run ``migrate`` afterwards, which gives the app role its rights.
"""

import environ
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import dbroles


class Command(BaseCommand):
    help = "Create the database owner and app roles (needs a superuser connection)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--superuser-url",
            default=environ.Env().str("DATABASE_SUPERUSER_URL", default=""),
            help="a superuser's connection URL (default: DATABASE_SUPERUSER_URL)",
        )

    def handle(self, *args, superuser_url: str, **options):
        if not superuser_url:
            raise CommandError("Give --superuser-url or set DATABASE_SUPERUSER_URL.")
        roles = dbroles.configured_roles(settings)
        if roles is None:
            raise CommandError(
                "DATABASE_OWNER_URL must be set and name a different user from DATABASE_URL."
            )
        owner, app = roles
        database = settings.DATABASES["default"]
        admin = environ.Env.db_url_config(superuser_url)
        with psycopg.connect(
            host=admin["HOST"] or database["HOST"],
            port=int(admin["PORT"] or 5432),
            user=admin["USER"],
            password=admin["PASSWORD"] or None,
            dbname=database["NAME"],
            autocommit=True,
        ) as conn:
            dbroles.ensure_roles(
                conn,
                database=database["NAME"],
                owner=owner["USER"],
                app=app,
                owner_password=owner.get("PASSWORD") or None,
                app_password=database.get("PASSWORD") or None,
            )
        self.stdout.write(f"Roles ready: {owner['USER']} owns {database['NAME']}, {app} uses it.")
