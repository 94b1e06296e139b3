from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from core.models import TimestampedModel


# The key itself is kept out of the history: with the site's secret it makes the feed URL.
@pghistory.track(exclude=["key"])
class CalendarFeed(TimestampedModel):
    """A person's secret calendar address. The URL carries ``key`` signed with the site's
    secret (see ``feeds.selectors.feed_token``), so the key alone, read from the database,
    does not open a feed. Resetting replaces the key, and every old URL stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64, unique=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(key=""), name="%(app_label)s_%(class)s_key_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
