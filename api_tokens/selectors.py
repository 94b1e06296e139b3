from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from api_tokens.models import ApiToken


def tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """A user's tokens, live ones first, newest first."""
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-pk")
