"""Every write to secondments and exchange quotas. One function per business action; each
runs in one transaction, checks the actor's permission and attributes the change to the
actor (a user, or a ``SystemActor`` such as ``load_demo``; never nobody).

Which side may change which field in which state is data (``SECONDMENT_FIELD_RIGHTS``);
a change to what a side approved clears that side's approval and says why.

Rules the database holds (home ≠ host, end ≥ start, one secondment at a time per person,
both approvals before approval) are also checked here first, so that the user gets a
message naming the field and the dates rather than a constraint name.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import Actor, Right, system_may
from core.errors import DomainError, TransitionNotAllowed
from core.history import acting
from core.services import (
    changed_values,
    check_transition,
    check_version,
    check_year,
    lock,
    meaningful_reason,
    status_label,
    validate,
)
from exchanges.choices import (
    BOTH_SIDES,
    SECONDMENT_APPROVAL_COVERS,
    SECONDMENT_DETAILS_EDITABLE_IN,
    SECONDMENT_FIELD_RIGHTS,
    SECONDMENT_NEEDS_REASON,
    SECONDMENT_TRANSITIONS,
    SecondmentStatus,
    Side,
)
from exchanges.models import ExchangeQuota, Secondment
from exchanges.permissions import (
    can_create_between,
    can_edit_secondment,
    ensure,
    field_refusal,
    fields_editable,
    sides_for,
    sides_user_may_approve,
)
from exchanges.rules import activation_problems, check_secondment, overlap_error
from institutes.models import Institute, Person
from mou.models import Agreement, Commitment

# Who goes where, when, under which agreement: fixed once both sides have approved.
PLAN_FIELDS = {
    "agreement", "person", "home_institute", "host_institute", "planned_start_on",
    "planned_end_on",
}  # fmt: skip
# What can still be filled in while the secondment is being prepared or under way.
DETAIL_FIELDS = set(SECONDMENT_FIELD_RIGHTS) - PLAN_FIELDS - {"commitments"}
EXCLUSION_CONSTRAINT = "exchanges_secondment_no_overlap"


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _status_label(value: str) -> str:
    return status_label(SecondmentStatus, value)


def _check_transition(current: str, to: str) -> None:
    check_transition(current=current, to=to, table=SECONDMENT_TRANSITIONS, choices=SecondmentStatus)


def _today_at(institute: Institute) -> date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(institute.time_zone))


def _save(secondment: Secondment) -> None:
    """Save, turning a lost race for the person's dates into the same clear error."""
    try:
        with transaction.atomic():
            secondment.save()
    except IntegrityError as exc:
        if EXCLUSION_CONSTRAINT not in str(exc):
            raise
        # The rival row committed while this one waited on the constraint; this
        # statement now sees it and can name its dates.
        clash = overlap_error(secondment)
        raise clash or DomainError(
            {"planned_start_on": "This person already has a secondment at that time."}
        ) from exc


def _set_commitments(secondment: Secondment, commitments: Iterable[Commitment]) -> None:
    secondment.commitments.set(list(commitments))


# --- Secondments ------------------------------------------------------------------------


@transaction.atomic
def secondment_create(
    *,
    actor: Actor,
    agreement: Agreement,
    person: Person,
    home_institute: Institute,
    host_institute: Institute,
    role: str,
    planned_start_on: date,
    planned_end_on: date,
    commitments: Iterable[Commitment] = (),
    **fields: Any,
) -> Secondment:
    """Propose a secondment. A coordinator may propose one only where their institute is
    the home or the host."""
    ensure(
        can_create_between(actor, home_id=home_institute.pk, host_id=host_institute.pk),
        "You can only log secondments where your institute is the home or the host.",
    )
    unknown = set(fields) - DETAIL_FIELDS
    if unknown:
        raise DomainError({name: "This field cannot be set here." for name in unknown})
    # A side fills in only what it answers for; the other side's fields start empty.
    sides = sides_for(actor, home_id=home_institute.pk, host_id=host_institute.pk)
    set_fields = changed_values(Secondment(), fields)
    _ensure_rights(set_fields, sides=sides, status=SecondmentStatus.PROPOSED)
    commitments = list(commitments)
    with acting(actor):
        secondment = Secondment(
            agreement=agreement,
            person=person,
            home_institute=home_institute,
            host_institute=host_institute,
            role=role.strip(),
            planned_start_on=planned_start_on,
            planned_end_on=planned_end_on,
            **fields,
        )
        check_secondment(secondment, commitments)
        validate(secondment)
        _save(secondment)
        _set_commitments(secondment, commitments)
    return secondment


@transaction.atomic
def secondment_update(
    *,
    secondment: Secondment,
    actor: Actor,
    changes: dict[str, Any],
    expected_version: int | None,
    commitments: Iterable[Commitment] | None = None,
) -> Secondment:
    """Edit a secondment: each side only the fields it answers for, in the states the
    rights table allows (``SECONDMENT_FIELD_RIGHTS``).

    Fields whose value is unchanged are ignored, so that a form may send all of them; a
    save with nothing changed writes nothing. A change to what a side approved clears
    that side's approval (and an approved secondment is proposed again).
    """
    with acting(actor):
        locked = lock(Secondment, secondment.pk)
        ensure(can_edit_secondment(actor, locked))
        check_version(locked, expected_version)
        changes = {
            name: value.strip() if isinstance(value, str) else value
            for name, value in changed_values(locked, changes).items()
        }
        unknown = set(changes) - PLAN_FIELDS - DETAIL_FIELDS
        if unknown:
            raise DomainError({name: "This field cannot be changed here." for name in unknown})
        links = list(commitments) if commitments is not None else None
        changed = set(changes)
        if links is not None and {c.pk for c in links} != set(
            locked.commitments.values_list("pk", flat=True)
        ):
            changed.add("commitments")
        if not changed:
            return locked
        if locked.status not in SECONDMENT_DETAILS_EDITABLE_IN:
            raise DomainError(
                f"A {_status_label(locked.status).lower()} secondment can no longer be changed."
            )
        sides = sides_user_may_approve(actor, locked)
        _ensure_rights(changed, sides=sides, status=locked.status)
        for name, value in changes.items():
            setattr(locked, name, value)
        _clear_approvals_covering(locked, changed, by_sides=sides)
        # A coordinator may not move a secondment away from their own institute.
        ensure(
            can_edit_secondment(actor, locked),
            "Your institute must stay the home or the host of this secondment.",
        )
        check_secondment(locked, links)
        validate(locked)
        locked.version += 1
        _save(locked)
        if "commitments" in changed and links is not None:
            _set_commitments(locked, links)
    return locked


def _ensure_rights(changed: Iterable[str], *, sides: frozenset[str], status: str) -> None:
    """Refuse, by field, each change the acting sides may not make in ``status``."""
    editable = fields_editable(sides, status)
    refused = sorted(set(changed) - editable)
    if refused:
        label = _status_label(status)
        raise DomainError({name: field_refusal(name, label, sides) for name in refused})


def _field_label(name: str) -> str:
    if name == "commitments":
        return "the commitments it delivers"
    return str(Secondment._meta.get_field(name).verbose_name)


def _clear_approvals_covering(
    secondment: Secondment, changed: set[str], *, by_sides: frozenset[str]
) -> list[str]:
    """Clear each side's approval that covered a changed field; record when and why.

    The side making the change stands by its own approval (the change is its own act);
    the other side approved something else and is asked again. A change made for both
    sides at once (by an administrator) clears both.
    """
    cleared = []
    others = BOTH_SIDES - by_sides or BOTH_SIDES
    for side in sorted(SECONDMENT_APPROVAL_COVERS):
        touched = changed & SECONDMENT_APPROVAL_COVERS[side]
        if side not in others or not touched:
            continue
        if getattr(secondment, f"{side}_approved_at") is None:
            continue
        setattr(secondment, f"{side}_approved_by", None)
        setattr(secondment, f"{side}_approved_at", None)
        setattr(secondment, f"{side}_approval_cleared_at", timezone.now())
        cleared.append(side)
        fields = ", ".join(sorted(_field_label(name) for name in touched))
        by = " and ".join(Side(s).label.lower() for s in sorted(by_sides)) or "an administrator"
        secondment.approval_cleared_because = (
            f"The {by} side changed {fields} after approval: "
            f"the {' and '.join(Side(s).label.lower() for s in cleared)} side must approve again."
        )
    if cleared and secondment.status == SecondmentStatus.APPROVED:
        secondment.status = SecondmentStatus.PROPOSED
    return cleared


@transaction.atomic
def secondment_approve(
    *,
    secondment: Secondment,
    actor: Actor,
    side: str | None = None,
    expected_version: int | None = None,
    approved_at: datetime | None = None,
) -> Secondment:
    """Record one side's approval. The second approval makes the secondment approved.

    ``approved_at`` records an approval given before the record was kept; only a process
    with the right to record the past (an import, the demo) may give it.

    A coordinator approves for their own institute's side (``side`` may be left out); an
    administrator must name the side.
    """
    with acting(actor):
        locked = lock(Secondment, secondment.pk)
        check_version(locked, expected_version)
        allowed = sides_user_may_approve(actor, locked)
        if side is None:
            if len(allowed) != 1:
                raise DomainError({"side": "Say which side you approve for: home or host."})
            side = next(iter(allowed))
        if side not in Side.values:
            raise DomainError({"side": f"“{side}” is not a side: choose home or host."})
        ensure(
            side in allowed,
            f"Only the {Side(side).label.lower()} institute can approve for its side.",
        )
        if locked.status != SecondmentStatus.PROPOSED:
            raise DomainError(
                {
                    "status": f"A {_status_label(locked.status).lower()} secondment takes no "
                    "further approvals."
                }
            )
        if getattr(locked, f"{side}_approved_at") is not None:
            raise DomainError({"side": f"The {side} side has already approved."})
        if approved_at is not None and not system_may(actor, Right.RECORD_PAST):
            raise DomainError({"approved_at": "Approvals are recorded as they are given."})
        setattr(locked, f"{side}_approved_by", actor if getattr(actor, "pk", None) else None)
        setattr(locked, f"{side}_approved_at", approved_at or timezone.now())
        setattr(locked, f"{side}_approval_cleared_at", None)
        if not (locked.home_approval_cleared_at or locked.host_approval_cleared_at):
            locked.approval_cleared_because = ""
        if locked.home_approved_at and locked.host_approved_at:
            locked.status = SecondmentStatus.APPROVED
        locked.version += 1
        locked.save()
    return locked


def _approved_on(secondment: Secondment) -> date:
    """The day (in the host's zone) the later of the two approvals was given."""
    zone = zoneinfo.ZoneInfo(secondment.host_institute.time_zone)
    moments = [m for m in (secondment.home_approved_at, secondment.host_approved_at) if m]
    return max(moments).astimezone(zone).date()


def _transition(
    *, secondment: Secondment, to: str, actor: Actor, expected_version: int | None
) -> Secondment:
    locked = lock(Secondment, secondment.pk)
    ensure(can_edit_secondment(actor, locked))
    check_version(locked, expected_version)
    _check_transition(locked.status, to)
    return locked


@transaction.atomic
def secondment_activate(
    *,
    secondment: Secondment,
    actor: Actor,
    on: date | None = None,
    expected_version: int | None = None,
) -> Secondment:
    """The secondee has started (on ``on``, by default today at the host institute).

    Refused before both sides approved and while vetting, the undertaking or host-side
    access is missing or expires before the planned end.
    """
    with acting(actor):
        locked = _transition(
            secondment=secondment,
            to=SecondmentStatus.ACTIVE,
            actor=actor,
            expected_version=expected_version,
        )
        if not (locked.home_approved_at and locked.host_approved_at):
            raise DomainError({"status": "Both the home and the host side must approve first."})
        start = on or _today_at(locked.host_institute)
        if start > _today_at(locked.host_institute):
            raise DomainError({"actual_start_on": "The start date cannot be in the future."})
        approved_on = _approved_on(locked)
        if start < approved_on:
            raise DomainError(
                {
                    "actual_start_on": "The start date cannot be before both sides approved, "
                    f"on {_day(approved_on)}."
                }
            )
        problems = activation_problems(locked, end_on=max(locked.planned_end_on, start))
        if problems:
            raise DomainError(problems)
        locked.actual_start_on = start
        locked.status = SecondmentStatus.ACTIVE
        check_secondment(locked, None)
        validate(locked)
        locked.version += 1
        _save(locked)
    return locked


@transaction.atomic
def secondment_complete(
    *,
    secondment: Secondment,
    actor: Actor,
    on: date | None = None,
    expected_version: int | None = None,
) -> Secondment:
    """The secondee has finished (on ``on``, by default today at the host institute)."""
    with acting(actor):
        locked = _transition(
            secondment=secondment,
            to=SecondmentStatus.COMPLETED,
            actor=actor,
            expected_version=expected_version,
        )
        end = on or _today_at(locked.host_institute)
        if locked.actual_start_on and end < locked.actual_start_on:
            raise DomainError(
                {
                    "actual_end_on": "The end cannot be before the start on "
                    f"{_day(locked.actual_start_on)}."
                }
            )
        if end > _today_at(locked.host_institute):
            raise DomainError({"actual_end_on": "The end date cannot be in the future."})
        problem = check_year(end, "The end date")
        if problem:
            raise DomainError({"actual_end_on": problem})
        locked.actual_end_on = end
        locked.status = SecondmentStatus.COMPLETED
        check_secondment(locked, None)
        validate(locked)
        locked.version += 1
        _save(locked)
    return locked


@transaction.atomic
def secondment_cancel(
    *,
    secondment: Secondment,
    actor: Actor,
    reason: str,
    expected_version: int | None = None,
) -> Secondment:
    """Call a secondment off, from any state before completed; a reason is required."""
    with acting(actor):
        locked = _transition(
            secondment=secondment,
            to=SecondmentStatus.CANCELLED,
            actor=actor,
            expected_version=expected_version,
        )
        if SecondmentStatus.CANCELLED in SECONDMENT_NEEDS_REASON:
            reason = meaningful_reason(reason, message="Give a reason for cancelling.")
        locked.status = SecondmentStatus.CANCELLED
        locked.cancellation_reason = reason.strip()
        locked.version += 1
        locked.save()
    return locked


def secondment_transition(
    *,
    secondment: Secondment,
    to: str,
    actor: Actor,
    reason: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> Secondment:
    """Move a secondment to ``to`` through the one service for that step.

    ``approved`` cannot be chosen directly: it follows from both sides' approvals.
    """
    if to == SecondmentStatus.ACTIVE:
        return secondment_activate(
            secondment=secondment, actor=actor, on=on, expected_version=expected_version
        )
    if to == SecondmentStatus.COMPLETED:
        return secondment_complete(
            secondment=secondment, actor=actor, on=on, expected_version=expected_version
        )
    if to == SecondmentStatus.CANCELLED:
        return secondment_cancel(
            secondment=secondment, actor=actor, reason=reason, expected_version=expected_version
        )
    with transaction.atomic():
        locked = _transition(
            secondment=secondment, to=to, actor=actor, expected_version=expected_version
        )
    if to == SecondmentStatus.APPROVED:
        raise DomainError(
            {"status": "A secondment becomes approved when both sides have recorded approval."}
        )
    raise TransitionNotAllowed(_status_label(locked.status), _status_label(to))


# --- Quotas -----------------------------------------------------------------------------


@transaction.atomic
def quota_set(
    *,
    actor: Actor,
    agreement: Agreement,
    home_country: str,
    host_country: str,
    planned_exchanges_per_year: int | None,
    planned_staff_days_per_year: int | None,
    is_illustrative: bool = False,
    notes: str = "",
    expected_version: int | None = None,
) -> ExchangeQuota:
    """Set what an agreement plans per year in one direction (administrators only).

    Setting the same figures again writes nothing; a copy older than ``expected_version``
    is refused.
    """
    ensure(sides_for(actor, home_id=None, host_id=None) == BOTH_SIDES)
    with acting(actor):
        existing = (
            ExchangeQuota.objects.select_for_update()
            .filter(agreement=agreement, home_country=home_country, host_country=host_country)
            .first()
        )
        values = {
            "planned_exchanges_per_year": planned_exchanges_per_year,
            "planned_staff_days_per_year": planned_staff_days_per_year,
            "is_illustrative": is_illustrative,
            "notes": notes,
        }
        if existing is not None:
            check_version(existing, expected_version)
            changes = changed_values(existing, values)
            if not changes:
                return existing
            quota = existing
            values = changes
            quota.version += 1
        else:
            quota = ExchangeQuota(
                agreement=agreement, home_country=home_country, host_country=host_country
            )
        for name, value in values.items():
            setattr(quota, name, value)
        validate(quota)
        quota.save()
    return quota
