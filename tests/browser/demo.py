"""The demo data for browser tests that sign in as the demo accounts."""

from django.contrib.auth.models import Group

from institutes.choices import Role
from mou.demo import load


def load_demo_accounts() -> dict[str, str]:
    """Load the demo register; return each demo account's password by username.

    A transactional test empties every table when it ends, the roles' groups (made by a
    migration) included, so they are made again first."""
    for role in Role:
        Group.objects.get_or_create(name=str(role))
    return {name: password for name, password, _ in load()}
