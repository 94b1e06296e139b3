"""``manage.py check_rag_inputs [--repair]``: compare the RAG inputs kept on every
commitment with a full recomputation; with ``--repair``, rewrite the ones that differ."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import CHECK_RAG_INPUTS
from mou.selectors import missing_rag_input_triggers, rag_input_drift
from mou.services import rag_inputs_repair

SHOWN = 20


class Command(BaseCommand):
    help = (
        "Verify the RAG inputs kept on each commitment against a full recomputation "
        "(exit status 1 when any differ); --repair rewrites those that differ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repair", action="store_true", help="rewrite the kept values that are wrong"
        )

    def handle(self, *args: Any, repair: bool = False, **options: Any) -> None:
        missing = missing_rag_input_triggers()
        for name in missing:
            self.stderr.write(f"Trigger missing or disabled: {name}")
        drift = rag_input_drift()
        for pk, (kept, right) in list(drift.items())[:SHOWN]:
            self.stdout.write(f"Commitment {pk}: kept {kept}, should be {right}")
        if len(drift) > SHOWN:
            self.stdout.write(f"… and {len(drift) - SHOWN} more.")
        if not drift:
            self.stdout.write(self.style.SUCCESS("Every commitment's RAG inputs are right."))
        elif repair:
            repaired = rag_inputs_repair(
                values={pk: right for pk, (_, right) in drift.items()}, actor=CHECK_RAG_INPUTS
            )
            left = rag_input_drift(commitment_ids=list(drift))
            self.stdout.write(f"Repaired {repaired} commitment(s); {len(left)} still differ.")
            if left:
                raise CommandError("Some RAG inputs could not be repaired.")
        else:
            raise CommandError(
                f"{len(drift)} commitment(s) have wrong RAG inputs; run with --repair."
            )
        if missing:
            raise CommandError(
                "The triggers that keep the RAG inputs are missing: run manage.py migrate."
            )
