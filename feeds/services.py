"""Writes to calendar feeds: creating or resetting a person's secret calendar address."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from core.actors import Actor
from core.errors import PermissionDenied
from core.history import acting
from core.services import lock
from feeds.models import CalendarFeed
from institutes.roles import is_administrator


@transaction.atomic
def calendar_feed_reset(*, actor: Actor, user: Any) -> CalendarFeed:
    """Give ``user`` a new secret calendar address (their first, or in place of the old
    one, which stops working at once). A person resets their own; an administrator anyone's."""
    if not actor.is_authenticated or (actor.pk != user.pk and not is_administrator(actor)):
        raise PermissionDenied({"__all__": "You can only reset your own calendar address."})
    # The user's row is locked so that two resets at once cannot both create a feed.
    lock(get_user_model(), user.pk)
    with acting(actor):
        feed = CalendarFeed.objects.filter(user=user).first()
        if feed is None:
            return CalendarFeed.objects.create(user=user, key=secrets.token_hex(20))
        feed.key = secrets.token_hex(20)
        feed.version += 1
        feed.save(update_fields=["key", "version", "updated_at"])
    return feed
