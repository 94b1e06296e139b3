"""Who may change which secondment; checked by the services (and used by views to decide
which buttons to show).

An exchange coordinator acts for the institute their Person works at: they may propose
and edit secondments where that institute is the home or the host, and approve only for
that side. Administrators may do everything. Everyone else reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.errors import PermissionDenied
from exchanges.choices import Side
from institutes.choices import Role
from institutes.roles import has_role, is_administrator, person_of

if TYPE_CHECKING:
    from exchanges.models import Secondment


def coordinator_institute_id(user: Any) -> int | None:
    """The institute a user coordinates exchanges for, or None."""
    if user is None or not has_role(user, Role.EXCHANGE_COORDINATOR):
        return None
    person = person_of(user)
    return person.institute_id if person is not None else None


def can_create_between(user: Any, *, home_id: int | None, host_id: int | None) -> bool:
    if user is None or is_administrator(user):
        return True
    mine = coordinator_institute_id(user)
    return mine is not None and mine in {home_id, host_id}


def can_create(user: Any) -> bool:
    """Whether the user may propose any secondment at all (to show the button)."""
    return user is None or is_administrator(user) or coordinator_institute_id(user) is not None


def can_edit_secondment(user: Any, secondment: Secondment) -> bool:
    return can_create_between(
        user, home_id=secondment.home_institute_id, host_id=secondment.host_institute_id
    )


def sides_user_may_approve(user: Any, secondment: Secondment) -> frozenset[str]:
    if user is None or is_administrator(user):
        return frozenset({Side.HOME, Side.HOST})
    mine = coordinator_institute_id(user)
    sides = set()
    if mine is not None and mine == secondment.home_institute_id:
        sides.add(Side.HOME)
    if mine is not None and mine == secondment.host_institute_id:
        sides.add(Side.HOST)
    return frozenset(sides)


def ensure(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    if not allowed:
        raise PermissionDenied({"__all__": message})
