"""Run one scan and one delivery, as beat would at an instant: `send_reminders --now
2027-03-31T08:00:00Z`. Prints what it created and sent."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reminders.choices import ReminderKind
from reminders.services import deliver_pending, scan_reminders


class Command(BaseCommand):
    help = "Create the reminders due now (or at --now) and send the digests that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="The instant to act as, in ISO 8601 with a zone, e.g. 2027-03-31T08:00:00Z.",
        )

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(str(options["now"]))
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if now.tzinfo is None:
                raise CommandError("--now needs a time zone, e.g. 2027-03-31T08:00:00Z.")
            if not 1900 <= now.year <= 2999:
                # Reminders look a year and more either side of the instant.
                raise CommandError("--now must be between the years 1900 and 2999.")
        self.stdout.write(f"At {now.isoformat()}:")
        scanned = scan_reminders(now=now)
        labels = dict(ReminderKind.choices)
        self.stdout.write(f"Created {scanned.created} reminder(s).")
        for kind, count in sorted(scanned.by_kind.items()):
            self.stdout.write(f"  {labels.get(kind, kind)}: {count}")
        delivered = deliver_pending(now=now)
        self.stdout.write(f"Sent {delivered.messages} e-mail(s).")
        for person, count in delivered.sent:
            self.stdout.write(f"  to {person.name} <{person.email}>: {count} reminder(s)")
        for person, error in delivered.failed:
            self.stdout.write(self.style.WARNING(f"  failed to {person.email}: {error}"))
        if delivered.skipped:
            self.stdout.write(f"Not e-mailed (opted out, dismissed or closed): {delivered.skipped}")
