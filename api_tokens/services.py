"""Creating, using and revoking API tokens. A person makes their own tokens: nobody,
an administrator included, creates a token for someone else."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from api_tokens.models import ApiToken
from core.actors import Actor
from core.errors import DomainError, PermissionDenied
from institutes.choices import Role
from institutes.roles import has_role

KEY_PREFIX = "acc_"
PREFIX_LENGTH = 12
# Only refresh ``last_used_at`` this often, so that reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest_of(key: str) -> str:
    # The key is 256 random bits, so a fast hash is enough: nobody can guess it from the
    # digest, and a lookup stays one indexed query.
    return hashlib.sha256(key.encode()).hexdigest()


def must_be_read_only(user: Any) -> bool:
    """The reporting role reads: its tokens are always read-only."""
    return has_role(user, Role.REPORTING_ANALYST) and not (
        user.is_superuser
        or has_role(
            user,
            Role.ADMINISTRATOR,
            Role.POLICY_OFFICER,
            Role.COMMITMENT_OWNER,
            Role.EXCHANGE_COORDINATOR,
        )
    )


@transaction.atomic
def token_create(
    *,
    user: Any,
    actor: Actor,
    name: str,
    expires_at: datetime | None = None,
    read_only: bool = False,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``user`` and return it with its key (the only time the key is seen)."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied({"__all__": "A token can only be created by its own user."})
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise DomainError({"name": "Give the token a name."})
    if len(name) > 100:
        raise DomainError({"name": "Keep the name to 100 characters."})
    if expires_at is not None and expires_at <= now:
        raise DomainError({"expires": "The expiry must be in the future."})
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise DomainError({"name": "You already have a token with this name."})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        digest=digest_of(key),
        expires_at=expires_at,
        read_only=read_only or must_be_read_only(user),
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: Actor, now: datetime | None = None) -> ApiToken:
    """Revoke one token; its holder's other tokens keep working."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    superuser = getattr(actor, "is_superuser", False)
    if not actor.is_authenticated or (locked.user_id != actor.pk and not superuser):
        raise PermissionDenied({"__all__": "You can only revoke your own tokens."})
    if locked.revoked_at is None:
        locked.revoked_at = now or timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


def token_authenticate(*, key: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this key (and its user), noting when it was used; else None."""
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest_of(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not token.is_live(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
