"""``manage.py create_api_token USERNAME [--name --expires --read-only]``: prints the key once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from api_tokens.services import token_create
from core.errors import DomainError


def _expiry(value: str) -> dt.datetime:
    """A date (the end of that day in the server's zone) or an ISO 8601 date-time."""
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return timezone.make_aware(dt.datetime.combine(day, dt.time.max))
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--expires: “{value}” is not a date (YYYY-MM-DD) or ISO date-time."
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        parser.add_argument("--expires", help="YYYY-MM-DD or an ISO 8601 date-time.")
        parser.add_argument("--read-only", action="store_true", help="Reads only.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named “{options['username']}”.")
        expires_at = _expiry(options["expires"]) if options["expires"] else None
        try:
            # Whoever runs this command on the server acts as that user for this one step.
            token, key = token_create(
                user=user,
                actor=user,
                name=options["name"],
                expires_at=expires_at,
                read_only=options["read_only"],
            )
        except DomainError as exc:
            raise CommandError("; ".join(f"--{k}: {v}" for k, v in exc.errors.items())) from exc
        scope = "read-only" if token.read_only else "read and write"
        self.stderr.write(f"Token “{token.name}” for {user.username} ({scope}). Keep the key:")
        self.stdout.write(key)
