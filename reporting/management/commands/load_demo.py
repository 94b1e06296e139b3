"""Load the demo data: the real UK–Australia MoUs (mou.demo), illustrative secondments
(exchanges.demo) and one demo account per role. Idempotent.

It lives in ``reporting``, the app at the top of the dependency chain, because it brings
together the data of every app below it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from core.actors import LOAD_DEMO
from core.history import acting
from exchanges import demo as exchanges_demo
from mou import demo as mou_demo


class Command(BaseCommand):
    help = "Load the UK–Australia demo data and demo accounts (safe to run again)."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic(), acting(LOAD_DEMO):
            accounts = mou_demo.load()
            exchanges_demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if accounts:
            self.stdout.write("Demo accounts (username / password):")
            for username, password, role in accounts:
                self.stdout.write(f"  {username:<16} {password}   {role}")
