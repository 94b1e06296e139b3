"""The security log: one append-only row per sign-in, failure, lockout, refusal, account change."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from security.choices import SecurityEventKind


class SecurityEvent(models.Model):
    """What happened, to whom, by whom, from where. Rows are never changed or removed.

    ``actor`` keeps the id of a user even after the account is deleted (no database
    constraint, nothing cascades), and ``username`` keeps the name as it was, or the name
    tried on a failed sign-in.
    """

    # The app's database role gets no UPDATE/DELETE on this table (core.dbroles).
    append_only = True

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=32, choices=SecurityEventKind.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username or '—'} at {self.at:%Y-%m-%d %H:%M:%S}"


class UserSession(models.Model):
    """Which sessions belong to whom, so that a user can end all their other sessions."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"session of {self.user}"
