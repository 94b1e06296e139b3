"""Import one agreement, with what it refers to, from a YAML file (see mou.exchange_format)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import IMPORT_AGREEMENT
from core.history import acting
from mou.exchange_format import ImportRefused, import_text, max_import_bytes


class Command(BaseCommand):
    help = (
        "Import an agreement with its participants, signatories, clauses, commitments and "
        "milestones from a YAML file. The whole file is checked first; nothing is written "
        "unless all of it is right. An agreement whose code already exists is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The YAML file, as written by export_agreement.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        limit = max_import_bytes()
        try:
            if path.stat().st_size > limit:
                raise CommandError(
                    f"{path} was not imported: it is {path.stat().st_size:,} bytes, and the "
                    f"most accepted is {limit:,} (IMPORT_MAX_BYTES); nothing was written."
                )
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            with acting(IMPORT_AGREEMENT):
                result = import_text(text, actor=IMPORT_AGREEMENT)
        except ImportRefused as exc:
            count = len(exc.problems)
            lines = "\n".join(f"  {problem}" for problem in exc.problems)
            raise CommandError(
                f"{path} was not imported ({count} problem{'s' if count != 1 else ''}); "
                f"nothing was written:\n{lines}"
            ) from exc
        made = ", ".join(f"{kind}: {n}" for kind, n in result.created.items() if n)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.agreement.code} (created {made or 'nothing new'})."
            )
        )
