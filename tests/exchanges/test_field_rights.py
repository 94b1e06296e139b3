"""Each side's rights on a secondment, field by field and state by state, as the rights
table says; and the cross-side sequence that used to undo the host's approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from core.errors import DomainError
from exchanges import services
from exchanges.choices import (
    SECONDMENT_APPROVAL_COVERS,
    SECONDMENT_FIELD_RIGHTS,
    SecondmentStatus,
    Side,
    VettingLevel,
)
from exchanges.models import Secondment
from reminders.choices import ReminderKind
from reminders.models import Reminder
from reminders.services import scan_reminders
from tests.factories import SYSTEM, CommitmentFactory, PersonFactory, SecondmentFactory

TODAY = timezone.localdate()
STATES = [SecondmentStatus.PROPOSED, SecondmentStatus.APPROVED, SecondmentStatus.ACTIVE]


def _new_value(secondment: Secondment, name: str, world: Any) -> Any:
    """A value for ``name`` that differs from the stored one and passes the other rules."""
    current = getattr(secondment, name) if name != "commitments" else None
    if name in {"vetting_required_home", "vetting_required_host", "vetting_held"}:
        return VettingLevel.BASELINE if current != VettingLevel.BASELINE else VettingLevel.NONE
    if name.endswith("_on"):
        base = current or secondment.planned_start_on
        if name in {"planned_start_on"}:
            return secondment.planned_start_on - dt.timedelta(days=1)
        if name in {"vetting_expires_on", "access_expires_on", "planned_end_on"}:
            return secondment.planned_end_on + dt.timedelta(days=30)
        return min(base, TODAY) - dt.timedelta(days=3)
    if name == "is_illustrative":
        return not current
    if name == "agreement":
        return world.agreement  # unchanged agreement would be no change: tested via others
    if name == "person":
        return PersonFactory(institute=world.uk)
    if name == "home_institute":
        return world.uk
    if name == "host_institute":
        return world.au
    return f"{current or 'Note'} (changed)"


def _in_state(world: Any, status: str) -> Secondment:
    start = TODAY - dt.timedelta(days=5)
    secondment = SecondmentFactory(
        agreement=world.agreement,
        home_institute=world.uk,
        host_institute=world.au,
        person=PersonFactory(institute=world.uk),
        planned_start_on=start,
        planned_end_on=start + dt.timedelta(days=120),
        undertaking_signed_on=start - dt.timedelta(days=20),
        access_granted_on=start - dt.timedelta(days=10),
    )
    if status == SecondmentStatus.PROPOSED:
        return secondment
    at = dt.datetime.combine(start - dt.timedelta(days=7), dt.time(9), tzinfo=dt.UTC)
    for side in (Side.HOME, Side.HOST):
        secondment = services.secondment_approve(
            secondment=secondment, actor=SYSTEM, side=side, approved_at=at
        )
    if status == SecondmentStatus.ACTIVE:
        secondment = services.secondment_activate(secondment=secondment, actor=SYSTEM, on=start)
    return secondment


EDITABLE_FIELDS = sorted(
    name for name in SECONDMENT_FIELD_RIGHTS if name not in {"agreement", "commitments"}
)


@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("side", [Side.HOME, Side.HOST])
@pytest.mark.parametrize("name", EDITABLE_FIELDS)
def test_each_field_by_state_and_side(world: Any, name: str, side: str, status: str) -> None:
    """The rights table decides, field × state × side: allowed changes are saved, the rest
    refused with a message naming the field, and nothing is written."""
    if name in {"home_institute", "host_institute"}:
        pytest.skip("moving a secondment between institutes is covered by the service tests")
    secondment = _in_state(world, status)
    actor = world.coordinator_uk if side == Side.HOME else world.coordinator_au
    right = SECONDMENT_FIELD_RIGHTS[name]
    allowed = side in right.sides and status in right.states
    value = _new_value(secondment, name, world)
    before = Secondment.objects.get(pk=secondment.pk)
    if allowed:
        saved = services.secondment_update(
            secondment=secondment, actor=actor, changes={name: value}, expected_version=None
        )
        assert getattr(saved, name) == value
    else:
        with pytest.raises(DomainError) as error:
            services.secondment_update(
                secondment=secondment, actor=actor, changes={name: value}, expected_version=None
            )
        assert name in error.value.errors
        after = Secondment.objects.get(pk=secondment.pk)
        assert after.version == before.version
        assert getattr(after, name) == getattr(before, name)


def test_home_side_cannot_lower_the_hosts_vetting_or_record_host_access(world: Any) -> None:
    """The reported sequence: after both approvals the home coordinator lowered the host's
    vetting requirement, recorded host access and started the secondment. Each step that
    belongs to the host is refused; the host's approval stands."""
    start = TODAY + dt.timedelta(days=30)
    secondment = SecondmentFactory(
        agreement=world.agreement,
        home_institute=world.uk,
        host_institute=world.au,
        person=PersonFactory(institute=world.uk),
        planned_start_on=start,
        planned_end_on=start + dt.timedelta(days=90),
        vetting_required_host=VettingLevel.ENHANCED,
        undertaking_signed_on=TODAY,
    )
    services.secondment_approve(secondment=secondment, actor=world.coordinator_uk)
    secondment = services.secondment_approve(secondment=secondment, actor=world.coordinator_au)
    assert secondment.status == SecondmentStatus.APPROVED
    for changes in (
        {"vetting_required_host": VettingLevel.NONE},
        {"access_granted_on": TODAY},
    ):
        with pytest.raises(DomainError) as error:
            services.secondment_update(
                secondment=secondment,
                actor=world.coordinator_uk,
                changes=changes,
                expected_version=secondment.version,
            )
        (field,) = changes
        assert "Only the host side can change this." in error.value.errors[field]
    secondment.refresh_from_db()
    assert secondment.vetting_required_host == VettingLevel.ENHANCED
    assert secondment.host_approved_at is not None
    assert secondment.access_granted_on is None
    with pytest.raises(DomainError):
        services.secondment_activate(secondment=secondment, actor=world.coordinator_uk)


def test_a_change_to_what_a_side_approved_clears_that_approval(world: Any) -> None:
    """The host raising its own requirement after approval clears the home side's approval
    (it approved the old plan), keeps the host's own, returns the secondment to proposed
    and says why; the home side's coordinators get a reminder."""
    start = TODAY + dt.timedelta(days=30)
    secondment = SecondmentFactory(
        agreement=world.agreement,
        home_institute=world.uk,
        host_institute=world.au,
        person=PersonFactory(institute=world.uk),
        planned_start_on=start,
        planned_end_on=start + dt.timedelta(days=90),
    )
    services.secondment_approve(secondment=secondment, actor=world.coordinator_uk)
    secondment = services.secondment_approve(secondment=secondment, actor=world.coordinator_au)
    saved = services.secondment_update(
        secondment=secondment,
        actor=world.coordinator_au,
        changes={"vetting_required_host": VettingLevel.BASELINE},
        expected_version=secondment.version,
    )
    assert "vetting_required_host" in SECONDMENT_APPROVAL_COVERS[Side.HOME]
    assert saved.status == SecondmentStatus.PROPOSED
    assert saved.home_approved_at is None and saved.host_approved_at is not None
    assert saved.home_approval_cleared_at is not None and saved.host_approval_cleared_at is None
    assert "vetting the host side requires" in saved.approval_cleared_because
    assert "the home side must approve again" in saved.approval_cleared_because
    scan_reminders(now=timezone.now())
    reminded = Reminder.objects.filter(
        secondment=saved, kind=ReminderKind.SECONDMENT_APPROVAL_CLEARED
    )
    assert {r.recipient.user for r in reminded} == {world.coordinator_uk}
    scan_reminders(now=timezone.now())
    assert reminded.count() == 1
    # Approving again lifts the notice.
    again = services.secondment_approve(secondment=saved, actor=world.coordinator_uk)
    assert again.status == SecondmentStatus.APPROVED
    assert again.approval_cleared_because == ""
    assert again.home_approval_cleared_at is None and again.host_approval_cleared_at is None


def test_an_unchanged_save_writes_nothing(world: Any, proposed: Secondment) -> None:
    form_values = {name: getattr(proposed, name) for name in services.DETAIL_FIELDS}
    saved = services.secondment_update(
        secondment=proposed,
        actor=world.coordinator_uk,
        changes=form_values,
        expected_version=proposed.version,
        commitments=list(proposed.commitments.all()),
    )
    assert saved.version == proposed.version


def test_creating_side_fills_only_its_own_fields(world: Any) -> None:
    with pytest.raises(DomainError) as error:
        services.secondment_create(
            actor=world.coordinator_uk,
            agreement=world.agreement,
            person=PersonFactory(institute=world.uk),
            home_institute=world.uk,
            host_institute=world.au,
            role="Evaluation",
            planned_start_on=TODAY + dt.timedelta(days=40),
            planned_end_on=TODAY + dt.timedelta(days=90),
            commitments=[CommitmentFactory(agreement=world.agreement)],
            access_granted_on=TODAY,
        )
    assert "Only the host side" in error.value.errors["access_granted_on"]


# --- Bounds -------------------------------------------------------------------------


def test_activation_in_1900_is_refused(world: Any) -> None:
    """The reported case: activated on 1 Jan 1900 and completed the next day."""
    secondment = SecondmentFactory(
        agreement=world.agreement,
        home_institute=world.uk,
        host_institute=world.au,
        person=PersonFactory(institute=world.uk),
        undertaking_signed_on=dt.date(2026, 11, 1),
        access_granted_on=dt.date(2026, 11, 2),
    )
    for side in (Side.HOME, Side.HOST):
        secondment = services.secondment_approve(secondment=secondment, actor=SYSTEM, side=side)
    with pytest.raises(DomainError) as error:
        services.secondment_activate(secondment=secondment, actor=SYSTEM, on=dt.date(1900, 1, 1))
    assert "before both sides approved" in error.value.errors["actual_start_on"]
    secondment.refresh_from_db()
    assert secondment.status == SecondmentStatus.APPROVED and secondment.actual_start_on is None


def test_a_coordinator_cannot_backdate_an_approval(world: Any) -> None:
    secondment = SecondmentFactory(
        agreement=world.agreement, home_institute=world.uk, host_institute=world.au,
        person=PersonFactory(institute=world.uk),
    )  # fmt: skip
    with pytest.raises(DomainError) as error:
        services.secondment_approve(
            secondment=secondment,
            actor=world.coordinator_uk,
            approved_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        )
    assert "approved_at" in error.value.errors
