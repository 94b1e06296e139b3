"""Export one agreement, with what it refers to, as YAML (see mou.exchange_format)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mou.exchange_format import export_agreement
from mou.models import Agreement


class Command(BaseCommand):
    help = (
        "Write an agreement with its participants, signatories, clauses, commitments, "
        "milestones and the institutes and people they name, as YAML that import_agreement "
        "reads back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="The agreement's reference code, e.g. uk-au-ai-2026.")
        parser.add_argument("-o", "--output", help="Write to this file instead of the screen.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = export_agreement(options["code"])
        except Agreement.DoesNotExist as exc:
            raise CommandError(f"No agreement with code “{options['code']}”.") from exc
        if options["output"]:
            path = Path(options["output"])
            try:
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot write {path}: {exc}") from exc
            self.stderr.write(f"Wrote {options['code']} to {path}.")
        else:
            self.stdout.write(text, ending="")
