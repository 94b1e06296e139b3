"""Who performs a write: a signed-in person's user account, or a named system process.

Every service takes ``actor`` as a required keyword. There is no default and no ``None``:
a process that writes (the demo loader, the agreement import, the reminder scan) names
itself with a ``SystemActor`` that holds exactly the rights its job needs, and the history
records that name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Right(StrEnum):
    """What a system process may write. People get their rights from their roles instead."""

    # Agreements, participants, signatories, clauses, commitments, milestones, updates.
    REGISTER = "register"
    # Institutes and people (and linking people to user accounts).
    PEOPLE = "people"
    # Secondments for either side, and exchange quotas.
    EXCHANGES = "exchanges"
    # Record what happened before the record was kept: approvals and dates in the past.
    RECORD_PAST = "record_past"


@dataclass(frozen=True)
class SystemActor:
    """A named process acting on its own account, e.g. ``SystemActor("load_demo", …)``."""

    process: str
    rights: frozenset[Right] = field(default_factory=frozenset)

    # Duck-typing guards: code that asks "is this a signed-in user?" gets a clear no.
    is_authenticated = False
    is_superuser = False
    pk = None

    def may(self, right: Right) -> bool:
        return right in self.rights

    def __str__(self) -> str:
        return f"process {self.process}"


# A signed-out visitor is an actor with no rights at all: every permission check says no.
type Actor = AbstractBaseUser | AnonymousUser | SystemActor


LOAD_DEMO = SystemActor(
    "load_demo",
    frozenset({Right.REGISTER, Right.PEOPLE, Right.EXCHANGES, Right.RECORD_PAST}),
)
IMPORT_AGREEMENT = SystemActor(
    "import_agreement", frozenset({Right.REGISTER, Right.PEOPLE, Right.RECORD_PAST})
)
# Rewrites the RAG inputs kept on commitments when they drift from a recomputation.
CHECK_RAG_INPUTS = SystemActor("check_rag_inputs", frozenset({Right.REGISTER}))
# The reminder scan and delivery write only to the reminders' own outbox.
REMINDERS = SystemActor("reminders")


def is_system(actor: Actor) -> bool:
    return isinstance(actor, SystemActor)


def system_may(actor: Actor, right: Right) -> bool:
    """Whether ``actor`` is a system process holding ``right`` (False for any person)."""
    return isinstance(actor, SystemActor) and actor.may(right)


def require_actor(actor: object) -> None:
    """Refuse a missing or unknown actor outright: nothing is written on nobody's behalf."""
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    if not isinstance(actor, SystemActor | AbstractBaseUser | AnonymousUser):
        raise TypeError(f"A service needs an actor (a user or a SystemActor), not {actor!r}.")
