"""Who may change which secondment, and which of its fields; checked by the services
(and used by views and forms to decide what to offer).

An exchange coordinator acts for the institute their Person works at: they may propose
and edit secondments where that institute is the home or the host, approve only for that
side, and change only the fields their side answers for (``SECONDMENT_FIELD_RIGHTS``).
Administrators act for both sides; a system process only with the exchanges right.
Everyone else reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.actors import Actor, Right, SystemActor, require_actor
from core.errors import PermissionDenied
from exchanges.choices import (
    BOTH_SIDES,
    SECONDMENT_FIELD_RIGHTS,
    SECONDMENT_PLAN_EDITABLE_IN,
    Side,
)
from institutes.choices import Role
from institutes.roles import has_role, is_administrator, person_of

if TYPE_CHECKING:
    from exchanges.models import Secondment


def _acts_for_both(actor: Actor) -> bool:
    if isinstance(actor, SystemActor):
        return actor.may(Right.EXCHANGES)
    return is_administrator(actor)


def coordinator_institute_id(actor: Actor) -> int | None:
    """The institute a user coordinates exchanges for, or None."""
    if isinstance(actor, SystemActor) or not has_role(actor, Role.EXCHANGE_COORDINATOR):
        return None
    person = person_of(actor)
    return person.institute_id if person is not None else None


def sides_for(actor: Actor, *, home_id: int | None, host_id: int | None) -> frozenset[str]:
    """The sides ``actor`` acts for on a secondment between these institutes."""
    require_actor(actor)
    if _acts_for_both(actor):
        return BOTH_SIDES
    mine = coordinator_institute_id(actor)
    sides = set()
    if mine is not None and mine == home_id:
        sides.add(Side.HOME)
    if mine is not None and mine == host_id:
        sides.add(Side.HOST)
    return frozenset(sides)


def can_create_between(actor: Actor, *, home_id: int | None, host_id: int | None) -> bool:
    return bool(sides_for(actor, home_id=home_id, host_id=host_id))


def can_create(actor: Actor) -> bool:
    """Whether the user may propose any secondment at all (to show the button)."""
    return _acts_for_both(actor) or coordinator_institute_id(actor) is not None


def can_edit_secondment(actor: Actor, secondment: Secondment) -> bool:
    return can_create_between(
        actor, home_id=secondment.home_institute_id, host_id=secondment.host_institute_id
    )


def sides_user_may_approve(actor: Actor, secondment: Secondment) -> frozenset[str]:
    return sides_for(
        actor, home_id=secondment.home_institute_id, host_id=secondment.host_institute_id
    )


def fields_editable(sides: frozenset[str], status: str) -> frozenset[str]:
    """The fields that coordinators of ``sides`` may change in ``status``."""
    return frozenset(
        name
        for name, right in SECONDMENT_FIELD_RIGHTS.items()
        if right.sides & sides and status in right.states
    )


def secondment_fields_editable(actor: Actor, secondment: Secondment) -> frozenset[str]:
    return fields_editable(sides_user_may_approve(actor, secondment), secondment.status)


def field_refusal(name: str, status_label: str, sides: frozenset[str]) -> str:
    """Why a side may not change ``name`` now, in words."""
    right = SECONDMENT_FIELD_RIGHTS.get(name)
    if right is None:
        return "This field cannot be changed here."
    if not right.sides & sides:
        owner = " and ".join(Side(side).label.lower() for side in sorted(right.sides))
        return f"Only the {owner} side can change this."
    if right.states == SECONDMENT_PLAN_EDITABLE_IN:
        return (
            "Both sides have approved this secondment: to change who goes where or when, "
            "cancel it and propose a new one."
        )
    return f"This cannot be changed while the secondment is {status_label.lower()}."


def ensure(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    if not allowed:
        raise PermissionDenied({"__all__": message})
