"""Reads for calendar feeds: the feed behind a token, the milestones a feed carries."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

from feeds.models import CalendarFeed
from mou.models import Agreement, Milestone

_SIGNER = signing.Signer(salt="accord.calendar-feed")


def feed_token(feed: CalendarFeed) -> str:
    """The secret part of the feed's URLs."""
    return _SIGNER.sign(feed.key)


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed a URL token opens, with its active user; None for a wrong or old token."""
    try:
        key = _SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    return CalendarFeed.objects.select_related("user").filter(key=key, user__is_active=True).first()


def feed_of(*, user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def _feed_milestones(user: Any) -> QuerySet[Milestone]:
    return (
        Milestone.objects.visible_to(user)
        .open()
        .select_related("owner__institute", "commitment__agreement")
        .order_by("due_on", "pk")
    )


def my_feed_milestones(*, user: Any) -> QuerySet[Milestone]:
    """Open milestones the user owns, or that fall under a commitment the user owns."""
    return _feed_milestones(user).filter(Q(owner__user=user) | Q(commitment__owner__user=user))


def agreement_feed(*, user: Any, code: str) -> tuple[Agreement, QuerySet[Milestone]]:
    """An agreement and its open milestones (raises Agreement.DoesNotExist)."""
    agreement = Agreement.objects.visible_to(user).get(code=code)
    return agreement, _feed_milestones(user).filter(commitment__agreement=agreement)


def agreements_with_feeds(*, user: Any) -> QuerySet[Agreement]:
    return Agreement.objects.visible_to(user).order_by("title", "pk").only("code", "title")
