"""Every write to secondments and exchange quotas. One function per business action; each
runs in one transaction, checks the actor's permission and attributes the change to the
actor (``actor=None`` means the system itself, e.g. ``load_demo``).

Rules the database holds (home ≠ host, end ≥ start, one secondment at a time per person,
both approvals before approval) are also checked here first, so that the user gets a
message naming the field and the dates rather than a constraint name.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError, TransitionNotAllowed
from core.history import acting
from core.services import (
    changed_values,
    check_transition,
    check_version,
    lock,
    status_label,
    validate,
)
from exchanges.choices import (
    SECONDMENT_DETAILS_EDITABLE_IN,
    SECONDMENT_NEEDS_REASON,
    SECONDMENT_PLAN_EDITABLE_IN,
    SECONDMENT_TRANSITIONS,
    SecondmentStatus,
    Side,
    VettingLevel,
)
from exchanges.models import ExchangeQuota, Secondment
from exchanges.permissions import (
    can_create_between,
    can_edit_secondment,
    ensure,
    sides_user_may_approve,
)
from institutes.models import Institute, Person
from mou.models import Agreement, Commitment, Party

# Who goes where, when, under which agreement: fixed once both sides have approved.
PLAN_FIELDS = {
    "agreement", "person", "home_institute", "host_institute", "planned_start_on",
    "planned_end_on",
}  # fmt: skip
# What can still be filled in while the secondment is being prepared or under way.
DETAIL_FIELDS = {
    "role", "notes", "vetting_required_home", "vetting_required_host", "vetting_held",
    "vetting_granted_on", "vetting_expires_on", "undertaking_signed_on", "access_granted_on",
    "access_expires_on", "is_illustrative",
}  # fmt: skip
EXCLUSION_CONSTRAINT = "exchanges_secondment_no_overlap"


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _status_label(value: str) -> str:
    return status_label(SecondmentStatus, value)


def _check_transition(current: str, to: str) -> None:
    check_transition(current=current, to=to, table=SECONDMENT_TRANSITIONS, choices=SecondmentStatus)


def _today_at(institute: Institute) -> date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(institute.time_zone))


# --- Rules across rows ------------------------------------------------------------------


def overlap_error(secondment: Secondment) -> DomainError | None:
    """A clear error naming the dates when the person is already seconded at that time."""
    if secondment.status == SecondmentStatus.CANCELLED or not secondment.person_id:
        return None
    clash = (
        Secondment.objects.holding_dates()
        .filter(person_id=secondment.person_id)
        .exclude(pk=secondment.pk)
        .overlapping(start=secondment.start_on, end=secondment.end_on)
        .select_related("host_institute", "person")
        .order_by("occupied_start")
        .first()
    )
    if clash is None:
        return None
    return DomainError(
        {
            "planned_start_on": (
                f"{clash.person} is already on a secondment to {clash.host_institute} from "
                f"{_day(clash.start_on)} to {_day(clash.end_on)}, which overlaps "
                f"{_day(secondment.start_on)} to {_day(secondment.end_on)}."
            )
        }
    )


def check_secondment(secondment: Secondment, commitments: Iterable[Commitment] | None) -> None:
    """The rules a single row's constraints cannot hold; raise DomainError by field."""
    errors: dict[str, str] = {}
    party_ids = set(
        Party.objects.filter(agreement_id=secondment.agreement_id).values_list(
            "institute_id", flat=True
        )
    )
    if secondment.home_institute_id and secondment.home_institute_id not in party_ids:
        errors["home_institute"] = "The home institute must be a party to the agreement."
    if secondment.host_institute_id and secondment.host_institute_id not in party_ids:
        errors["host_institute"] = "The host institute must be a party to the agreement."
    if (
        secondment.home_institute_id
        and secondment.home_institute_id == secondment.host_institute_id
    ):
        errors["host_institute"] = "The host institute must differ from the home institute."
    if (
        secondment.person_id
        and secondment.home_institute_id
        and secondment.person.institute_id != secondment.home_institute_id
    ):
        errors["person"] = (
            f"{secondment.person} works at {secondment.person.institute}, "
            "so that must be the home institute."
        )
    if (
        secondment.planned_start_on
        and secondment.planned_end_on
        and secondment.planned_end_on < secondment.planned_start_on
    ):
        errors["planned_end_on"] = "The planned end cannot be before the planned start."
    for commitment in commitments or ():
        if commitment.agreement_id != secondment.agreement_id:
            errors["commitments"] = (
                f"Commitment {commitment.reference} belongs to another agreement: "
                "link only commitments of this secondment's agreement."
            )
            break
    if errors:
        raise DomainError(errors)
    clash = overlap_error(secondment)
    if clash is not None:
        raise clash


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


def activation_problems(secondment: Secondment, *, end_on: date | None = None) -> dict[str, str]:
    """What stops the secondee from starting, by field; empty when ready.

    Each item must be recorded and must not expire before the secondment ends.
    """
    end = end_on or secondment.end_on
    problems: dict[str, str] = {}
    required = secondment.vetting_required
    if required > VettingLevel.NONE:
        label = VettingLevel(required).label.lower()
        if secondment.vetting_held < required:
            problems["vetting_held"] = (
                f"The secondee needs {label} (the level both sides require) before starting."
            )
        elif secondment.vetting_granted_on is None:
            problems["vetting_granted_on"] = "Record when the secondee's vetting was granted."
        elif secondment.vetting_expires_on is None:
            problems["vetting_expires_on"] = "Record when the secondee's vetting expires."
        elif secondment.vetting_expires_on < end:
            problems["vetting_expires_on"] = (
                f"The secondee's vetting expires on {_day(secondment.vetting_expires_on)}, "
                f"before the secondment ends on {_day(end)}."
            )
    if secondment.undertaking_signed_on is None:
        problems["undertaking_signed_on"] = (
            "Record when the secondee signed the confidentiality and IP undertaking."
        )
    if secondment.access_granted_on is None:
        problems["access_granted_on"] = "Record when the host side granted access."
    elif secondment.access_expires_on is not None and secondment.access_expires_on < end:
        problems["access_expires_on"] = (
            f"Host-side access expires on {_day(secondment.access_expires_on)}, "
            f"before the secondment ends on {_day(end)}."
        )
    return problems


# --- Secondments ------------------------------------------------------------------------


@transaction.atomic
def secondment_create(
    *,
    actor: Any,
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
    actor: Any,
    changes: dict[str, Any],
    expected_version: int | None,
    commitments: Iterable[Commitment] | None = None,
) -> Secondment:
    """Edit a secondment's details; its plan (who, where, when) only while proposed.

    Fields whose value is unchanged are ignored, so that a form may send all of them.
    """
    with acting(actor):
        locked = lock(Secondment, secondment.pk)
        ensure(can_edit_secondment(actor, locked))
        check_version(locked, expected_version)
        changes = changed_values(locked, changes)
        links = list(commitments) if commitments is not None else None
        relinked = links is not None and {c.pk for c in links} != {
            c.pk for c in locked.commitments.all()
        }
        if not changes and not relinked:
            return locked  # saved as it was opened: nothing to write, no new version
        unknown = set(changes) - PLAN_FIELDS - DETAIL_FIELDS
        if unknown:
            raise DomainError({name: "This field cannot be changed here." for name in unknown})
        if locked.status not in SECONDMENT_DETAILS_EDITABLE_IN:
            raise DomainError(
                f"A {_status_label(locked.status).lower()} secondment can no longer be changed."
            )
        plan_changes = set(changes) & PLAN_FIELDS
        if plan_changes and locked.status not in SECONDMENT_PLAN_EDITABLE_IN:
            raise DomainError(
                {
                    name: "Both sides have approved this secondment: to change who goes where "
                    "or when, cancel it and propose a new one."
                    for name in plan_changes
                }
            )
        for name, value in changes.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if plan_changes:
            # An approval is of a plan: a changed plan needs both sides to approve it again.
            locked.home_approved_by = locked.host_approved_by = None
            locked.home_approved_at = locked.host_approved_at = None
        # A coordinator may not move a secondment away from their own institute.
        ensure(
            can_edit_secondment(actor, locked),
            "Your institute must stay the home or the host of this secondment.",
        )
        check_secondment(locked, links)
        validate(locked)
        locked.version += 1
        _save(locked)
        if links is not None and relinked:
            _set_commitments(locked, links)
    return locked


@transaction.atomic
def secondment_approve(
    *,
    secondment: Secondment,
    actor: Any,
    side: str | None = None,
    expected_version: int | None = None,
) -> Secondment:
    """Record one side's approval. The second approval makes the secondment approved.

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
        setattr(locked, f"{side}_approved_by", actor if getattr(actor, "pk", None) else None)
        setattr(locked, f"{side}_approved_at", timezone.now())
        if locked.home_approved_at and locked.host_approved_at:
            locked.status = SecondmentStatus.APPROVED
        locked.version += 1
        locked.save()
    return locked


def _transition(
    *, secondment: Secondment, to: str, actor: Any, expected_version: int | None
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
    actor: Any,
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
    actor: Any,
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
    actor: Any,
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
        if SecondmentStatus.CANCELLED in SECONDMENT_NEEDS_REASON and not reason.strip():
            raise DomainError({"reason": "Give a reason for cancelling."})
        locked.status = SecondmentStatus.CANCELLED
        locked.cancellation_reason = reason.strip()
        locked.version += 1
        locked.save()
    return locked


def secondment_transition(
    *,
    secondment: Secondment,
    to: str,
    actor: Any,
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
    actor: Any,
    agreement: Agreement,
    home_country: str,
    host_country: str,
    planned_exchanges_per_year: int | None,
    planned_staff_days_per_year: int | None,
    is_illustrative: bool = False,
    notes: str = "",
) -> ExchangeQuota:
    """Set what an agreement plans per year in one direction (administrators only)."""
    from institutes.roles import is_administrator

    ensure(actor is None or is_administrator(actor))
    with acting(actor):
        quota = ExchangeQuota.objects.filter(
            agreement=agreement, home_country=home_country, host_country=host_country
        ).first() or ExchangeQuota(
            agreement=agreement, home_country=home_country, host_country=host_country
        )
        quota.planned_exchanges_per_year = planned_exchanges_per_year
        quota.planned_staff_days_per_year = planned_staff_days_per_year
        quota.is_illustrative = is_illustrative
        quota.notes = notes
        if quota.pk:
            quota.version += 1
        validate(quota)
        quota.save()
    return quota
