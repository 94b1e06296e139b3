"""``migrate`` as the database owner role when the settings name one (DATABASE_OWNER_URL).

The app role, which everything else connects as, owns nothing and cannot alter tables; the
owner applies migrations, then restates the app role's rights (see ``core.dbroles``).
"""

from django.core.management.commands import migrate
from django.db import connections

from core import dbroles


class Command(migrate.Command):
    def handle(self, *args, **options):
        with dbroles.as_owner(connections[options["database"]]):
            return super().handle(*args, **options)
