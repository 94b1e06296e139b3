import datetime as dt
import zoneinfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError, PermissionDenied, StaleRecord, TransitionNotAllowed
from exchanges import services
from exchanges.choices import SecondmentStatus, VettingLevel
from exchanges.models import Secondment
from exchanges.selectors import secondment_history
from tests.exchanges.conftest import READY
from tests.factories import (
    SYSTEM,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PersonFactory,
    SecondmentFactory,
)

TODAY = timezone.localdate()


def create(world, actor=None, **overrides):
    fields = {
        "agreement": world.agreement,
        "person": overrides.pop("person", None) or PersonFactory(institute=world.uk),
        "home_institute": world.uk,
        "host_institute": world.au,
        "role": "Evaluation methods",
        "planned_start_on": dt.date(2027, 1, 4),
        "planned_end_on": dt.date(2027, 6, 30),
    }
    fields.update(overrides)
    return services.secondment_create(actor=actor or world.coordinator_uk, **fields)


def approved(world, *, start=None, end=None, **fields):
    """An approved secondment that started ten days ago (so that it can be activated)."""
    start = start or TODAY - dt.timedelta(days=10)
    end = end or TODAY + dt.timedelta(days=90)
    # Both sides' readiness records at once: a process with both sides' rights.
    secondment = create(
        world, actor=SYSTEM, planned_start_on=start, planned_end_on=end, **READY | fields
    )
    # Approved a week before the start: a secondee starts only after both approvals.
    at = dt.datetime.combine(start - dt.timedelta(days=7), dt.time(9), tzinfo=dt.UTC)
    services.secondment_approve(secondment=secondment, actor=SYSTEM, side="home", approved_at=at)
    return services.secondment_approve(
        secondment=secondment, actor=SYSTEM, side="host", approved_at=at
    )


# --- Creating and the rules ------------------------------------------------------------


def test_secondment_create_records_a_proposal_with_history(world):
    secondment = create(world)
    assert secondment.status == SecondmentStatus.PROPOSED
    assert secondment.direction == "UK→AU"
    history = secondment_history(secondment=secondment)
    assert history[0].kind == "created"
    assert history[0].by == world.coordinator_uk.get_full_name()


def test_secondment_create_refuses_the_same_home_and_host(world):
    with pytest.raises(DomainError) as error:
        create(world, host_institute=world.uk)
    assert "must differ" in error.value.errors["host_institute"]


def test_database_refuses_the_same_home_and_host(world):
    with pytest.raises(IntegrityError, match="home_not_host"), transaction.atomic():
        SecondmentFactory(
            agreement=world.agreement, home_institute=world.uk, host_institute=world.uk
        )


def test_secondment_create_refuses_institutes_that_are_not_parties(world):
    with pytest.raises(DomainError) as error:
        create(world, host_institute=world.other)
    assert error.value.errors["host_institute"] == (
        "The host institute must be a party to the agreement."
    )
    with pytest.raises(DomainError) as error:
        create(
            world,
            actor=world.admin,
            home_institute=world.other,
            person=PersonFactory(institute=world.other),
        )
    assert error.value.errors["home_institute"] == (
        "The home institute must be a party to the agreement."
    )


def test_secondment_create_refuses_a_person_from_another_institute(world):
    with pytest.raises(DomainError) as error:
        create(world, person=PersonFactory(institute=world.au, name="Pat Example"))
    assert error.value.errors["person"] == (
        "Pat Example works at AUI, so that must be the home institute."
    )


def test_secondment_create_refuses_an_end_before_the_start(world):
    with pytest.raises(DomainError) as error:
        create(world, planned_start_on=dt.date(2027, 3, 1), planned_end_on=dt.date(2027, 2, 28))
    assert error.value.errors["planned_end_on"] == (
        "The planned end cannot be before the planned start."
    )


def test_database_refuses_an_end_before_the_start(world):
    with pytest.raises(IntegrityError, match="planned_end_after_start"), transaction.atomic():
        SecondmentFactory(
            agreement=world.agreement,
            planned_start_on=dt.date(2027, 3, 1),
            planned_end_on=dt.date(2027, 2, 28),
        )


def test_secondment_create_refuses_an_overlap_naming_the_dates(world, proposed):
    with pytest.raises(DomainError) as error:
        create(
            world,
            person=proposed.person,
            planned_start_on=dt.date(2027, 6, 30),
            planned_end_on=dt.date(2027, 9, 30),
        )
    assert error.value.errors["planned_start_on"] == (
        "Secondee One is already on a secondment to AUI from 4 Jan 2027 to 30 Jun 2027, "
        "which overlaps 30 Jun 2027 to 30 Sep 2027."
    )


def test_secondment_create_allows_back_to_back_and_after_a_cancellation(world, proposed):
    create(
        world,
        person=proposed.person,
        planned_start_on=dt.date(2027, 7, 1),
        planned_end_on=dt.date(2027, 9, 30),
    )
    services.secondment_cancel(secondment=proposed, actor=world.coordinator_uk, reason="Moved")
    again = create(world, person=proposed.person)
    assert again.planned_start_on == proposed.planned_start_on


def test_database_refuses_an_overlap_written_around_the_service(world, proposed):
    with pytest.raises(IntegrityError, match="no_overlap"), transaction.atomic():
        SecondmentFactory(
            agreement=world.agreement,
            person=proposed.person,
            planned_start_on=dt.date(2027, 2, 1),
            planned_end_on=dt.date(2027, 2, 2),
        )


def test_secondment_links_only_commitments_of_its_agreement(world):
    own = CommitmentFactory(clause=ClauseFactory(agreement=world.agreement), reference="2.1")
    foreign = CommitmentFactory(reference="9.9")
    with pytest.raises(DomainError) as error:
        create(world, commitments=[own, foreign])
    assert "9.9 belongs to another agreement" in error.value.errors["commitments"]
    secondment = create(world, commitments=[own])
    assert list(secondment.commitments.all()) == [own]
    assert any(e.label == "Linked commitment" for e in secondment_history(secondment=secondment))


# --- Editing -----------------------------------------------------------------------------


def test_secondment_update_saves_and_bumps_the_version(world, proposed):
    updated = services.secondment_update(
        secondment=proposed,
        actor=world.coordinator_au,
        changes={"role": "Joint testing", "planned_end_on": dt.date(2027, 5, 31)},
        expected_version=proposed.version,
    )
    assert (updated.role, updated.version) == ("Joint testing", proposed.version + 1)
    changes = secondment_history(secondment=updated)[0].changes
    assert {c.field for c in changes} == {"role", "planned_end_on"}


def test_secondment_update_refuses_a_stale_copy(world, proposed):
    services.secondment_update(
        secondment=proposed,
        actor=world.coordinator_uk,
        changes={"role": "First edit"},
        expected_version=proposed.version,
    )
    with pytest.raises(StaleRecord):
        services.secondment_update(
            secondment=proposed,
            actor=world.coordinator_au,
            changes={"role": "Second edit"},
            expected_version=proposed.version,
        )


def test_secondment_update_with_the_stored_values_writes_nothing(world, proposed):
    proposed.commitments.set([CommitmentFactory(clause=ClauseFactory(agreement=world.agreement))])
    proposed.refresh_from_db()
    history = len(secondment_history(secondment=proposed))
    form_values = {
        name: getattr(proposed, name)
        for name in ("role", "planned_start_on", "planned_end_on", "notes", "person")
    } | {"role": f" {proposed.role} ", "host_institute": proposed.host_institute_id}
    saved = services.secondment_update(
        secondment=proposed,
        actor=world.coordinator_au,
        changes=form_values,
        expected_version=proposed.version,
        commitments=list(proposed.commitments.all()),
    )
    fresh = Secondment.objects.get(pk=proposed.pk)
    assert (saved.version, fresh.version) == (proposed.version, proposed.version)
    assert fresh.updated_at == proposed.updated_at
    assert len(secondment_history(secondment=fresh)) == history
    with pytest.raises(StaleRecord):
        services.secondment_update(
            secondment=proposed,
            actor=world.coordinator_au,
            changes=form_values,
            expected_version=proposed.version - 1,
        )


def test_coordinator_of_another_institute_cannot_edit(world, proposed):
    with pytest.raises(PermissionDenied):
        services.secondment_update(
            secondment=proposed,
            actor=world.coordinator_other,
            changes={"role": "Not mine"},
            expected_version=None,
        )


@pytest.mark.parametrize("username", ["officer", "coord-ca"])
def test_only_coordinators_of_a_side_can_log_a_secondment(world, username):
    actor = {"officer": world.officer, "coord-ca": world.coordinator_other}[username]
    with pytest.raises(PermissionDenied):
        create(world, actor=actor)


def test_coordinator_cannot_move_a_secondment_away_from_their_institute(world, proposed):
    agreement = AgreementFactory(parties=[world.other, world.au])
    with pytest.raises(PermissionDenied):
        services.secondment_update(
            secondment=proposed,
            actor=world.coordinator_uk,
            changes={
                "agreement": agreement,
                "home_institute": world.other,
                "person": PersonFactory(institute=world.other),
            },
            expected_version=None,
        )


def test_plan_cannot_change_once_both_sides_approved(world):
    secondment = approved(world)
    with pytest.raises(DomainError) as error:
        services.secondment_update(
            secondment=secondment,
            actor=world.coordinator_uk,
            changes={"planned_end_on": secondment.planned_end_on + dt.timedelta(days=1)},
            expected_version=None,
        )
    assert "cancel it and propose a new one" in error.value.errors["planned_end_on"]
    services.secondment_update(
        secondment=secondment,
        actor=world.coordinator_uk,
        changes={"notes": "Desk booked", "planned_end_on": secondment.planned_end_on},
        expected_version=None,
    )


# --- Approvals ---------------------------------------------------------------------------


def test_second_approval_makes_the_secondment_approved(world, proposed):
    once = services.secondment_approve(secondment=proposed, actor=world.coordinator_uk)
    assert once.status == SecondmentStatus.PROPOSED
    assert once.home_approved_by == world.coordinator_uk and once.home_approved_at
    assert once.host_approved_at is None
    twice = services.secondment_approve(secondment=proposed, actor=world.coordinator_au)
    assert twice.status == SecondmentStatus.APPROVED
    assert twice.host_approved_by == world.coordinator_au


def test_changing_the_plan_after_one_approval_asks_both_sides_again(world, proposed):
    approved_by_host = services.secondment_approve(secondment=proposed, actor=world.coordinator_au)
    moved = services.secondment_update(
        secondment=approved_by_host,
        actor=world.coordinator_uk,
        changes={"planned_end_on": proposed.planned_end_on + dt.timedelta(days=30)},
        expected_version=approved_by_host.version,
    )
    assert moved.host_approved_at is None and moved.host_approved_by is None
    again = services.secondment_approve(secondment=moved, actor=world.coordinator_uk)
    assert again.status == SecondmentStatus.PROPOSED  # the host has not approved the new plan


def test_changing_details_keeps_the_approvals(world, proposed):
    approved_by_host = services.secondment_approve(secondment=proposed, actor=world.coordinator_au)
    edited = services.secondment_update(
        secondment=approved_by_host,
        actor=world.coordinator_uk,
        changes={"notes": "Desk on level 3."},
        expected_version=approved_by_host.version,
    )
    assert edited.host_approved_by == world.coordinator_au


def test_coordinator_cannot_approve_for_the_other_side(world, proposed):
    with pytest.raises(PermissionDenied) as error:
        services.secondment_approve(secondment=proposed, actor=world.coordinator_uk, side="host")
    assert "Only the host institute" in str(error.value)
    with pytest.raises(DomainError):
        services.secondment_approve(secondment=proposed, actor=world.coordinator_other)
    proposed.refresh_from_db()
    assert proposed.host_approved_at is None and proposed.home_approved_at is None


def test_a_side_approves_only_once(world, proposed):
    services.secondment_approve(secondment=proposed, actor=world.coordinator_uk)
    with pytest.raises(DomainError, match="already approved"):
        services.secondment_approve(secondment=proposed, actor=world.coordinator_uk)


def test_administrator_names_the_side_to_approve(world, proposed):
    with pytest.raises(DomainError, match="Say which side"):
        services.secondment_approve(secondment=proposed, actor=world.admin)
    services.secondment_approve(secondment=proposed, actor=world.admin, side="host")
    proposed.refresh_from_db()
    assert proposed.host_approved_by == world.admin


def test_policy_officer_cannot_approve(world, proposed):
    with pytest.raises(DomainError):
        services.secondment_approve(secondment=proposed, actor=world.officer, side="home")


def test_database_refuses_approved_without_both_approvals(world, proposed):
    with pytest.raises(IntegrityError, match="approved_by_both"), transaction.atomic():
        Secondment.objects.filter(pk=proposed.pk).update(status=SecondmentStatus.APPROVED)


# --- Lifecycle ---------------------------------------------------------------------------


def test_activate_then_complete(world):
    secondment = approved(world)
    active = services.secondment_activate(secondment=secondment, actor=world.coordinator_au)
    assert active.status == SecondmentStatus.ACTIVE
    assert active.actual_start_on == timezone.localdate(
        timezone=zoneinfo.ZoneInfo("Australia/Sydney")
    )
    done = services.secondment_complete(
        secondment=secondment, actor=world.coordinator_uk, on=active.actual_start_on
    )
    assert done.status == SecondmentStatus.COMPLETED
    assert done.actual_end_on == active.actual_start_on


def test_activation_is_refused_before_both_approvals(world, proposed):
    services.secondment_approve(secondment=proposed, actor=world.coordinator_uk)
    with pytest.raises(TransitionNotAllowed) as error:
        services.secondment_activate(secondment=proposed, actor=world.coordinator_uk, on=TODAY)
    assert error.value.errors == {"status": "Cannot move from “Proposed” to “Active”."}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"undertaking_signed_on": None}, "undertaking_signed_on", "confidentiality and IP"),
        ({"access_granted_on": None}, "access_granted_on", "host side granted access"),
        ({"access_expires_on": "before_end"}, "access_expires_on", "before the secondment ends"),
        (
            {"vetting_required_host": VettingLevel.ENHANCED, "vetting_held": VettingLevel.BASELINE},
            "vetting_held",
            "needs enhanced clearance",
        ),
        (
            {
                "vetting_required_home": VettingLevel.BASELINE,
                "vetting_held": VettingLevel.BASELINE,
                "vetting_granted_on": dt.date(2025, 1, 1),
            },
            "vetting_expires_on",
            "Record when the secondee's vetting expires",
        ),
        (
            {
                "vetting_required_home": VettingLevel.BASELINE,
                "vetting_held": VettingLevel.ENHANCED,
                "vetting_granted_on": dt.date(2025, 1, 1),
                "vetting_expires_on": "before_end",
            },
            "vetting_expires_on",
            "before the secondment ends",
        ),
    ],
)
def test_activation_is_refused_while_readiness_is_missing(world, fields, field, message):
    end = TODAY + dt.timedelta(days=90)
    fields = {
        k: (end - dt.timedelta(days=1) if v == "before_end" else v) for k, v in fields.items()
    }
    secondment = approved(world, end=end, **fields)
    with pytest.raises(DomainError) as error:
        services.secondment_activate(secondment=secondment, actor=world.coordinator_uk, on=TODAY)
    assert message in error.value.errors[field]
    secondment.refresh_from_db()
    assert secondment.status == SecondmentStatus.APPROVED


def test_activation_succeeds_with_vetting_valid_to_the_end(world):
    end = TODAY + dt.timedelta(days=90)
    secondment = approved(
        world,
        end=end,
        vetting_required_host=VettingLevel.ENHANCED,
        vetting_held=VettingLevel.HIGHEST,
        vetting_granted_on=dt.date(2025, 1, 1),
        vetting_expires_on=end,
        access_expires_on=end,
    )
    active = services.secondment_activate(secondment=secondment, actor=world.admin, on=TODAY)
    assert active.status == SecondmentStatus.ACTIVE


def test_activation_date_cannot_be_in_the_future(world):
    secondment = approved(world)
    with pytest.raises(DomainError, match="in the future"):
        services.secondment_activate(
            secondment=secondment, actor=world.admin, on=TODAY + dt.timedelta(days=3)
        )


def _in_state(world, state):
    secondment = approved(world)
    if state == SecondmentStatus.PROPOSED:
        return create(
            world, planned_start_on=dt.date(2030, 1, 1), planned_end_on=dt.date(2030, 2, 1)
        )
    if state in {SecondmentStatus.ACTIVE, SecondmentStatus.COMPLETED}:
        services.secondment_activate(secondment=secondment, actor=world.admin, on=TODAY)
    if state == SecondmentStatus.COMPLETED:
        services.secondment_complete(secondment=secondment, actor=world.admin, on=TODAY)
    if state == SecondmentStatus.CANCELLED:
        services.secondment_cancel(secondment=secondment, actor=world.admin, reason="Called off")
    secondment.refresh_from_db()
    return secondment


ALLOWED = [
    (SecondmentStatus.PROPOSED, SecondmentStatus.CANCELLED),
    (SecondmentStatus.APPROVED, SecondmentStatus.ACTIVE),
    (SecondmentStatus.APPROVED, SecondmentStatus.CANCELLED),
    (SecondmentStatus.ACTIVE, SecondmentStatus.COMPLETED),
    (SecondmentStatus.ACTIVE, SecondmentStatus.CANCELLED),
]
FORBIDDEN = [
    (current, to)
    for current in SecondmentStatus.values
    for to in SecondmentStatus.values
    if (current, to) not in ALLOWED and current != to
]


@pytest.mark.parametrize(("current", "to"), ALLOWED)
def test_allowed_transition(world, current, to):
    secondment = _in_state(world, current)
    moved = services.secondment_transition(
        secondment=secondment, to=to, actor=world.coordinator_uk, reason="Plans changed", on=TODAY
    )
    assert moved.status == to


@pytest.mark.parametrize(("current", "to"), FORBIDDEN)
def test_forbidden_transition_is_refused_clearly(world, current, to):
    secondment = _in_state(world, current)
    with pytest.raises(DomainError) as error:
        services.secondment_transition(
            secondment=secondment, to=to, actor=world.admin, reason="Because", on=TODAY
        )
    assert "status" in error.value.errors
    secondment.refresh_from_db()
    assert secondment.status == current


def test_approved_follows_from_approvals_not_from_a_transition(world, proposed):
    with pytest.raises(DomainError) as error:
        services.secondment_transition(
            secondment=proposed, to=SecondmentStatus.APPROVED, actor=world.admin
        )
    assert "both sides have recorded approval" in error.value.errors["status"]


def test_cancel_needs_a_reason(world, proposed):
    with pytest.raises(DomainError) as error:
        services.secondment_cancel(secondment=proposed, actor=world.coordinator_uk, reason=" ")
    assert error.value.errors == {"reason": "Give a reason for cancelling."}


def test_coordinator_of_another_institute_cannot_cancel(world, proposed):
    with pytest.raises(PermissionDenied):
        services.secondment_cancel(secondment=proposed, actor=world.coordinator_other, reason="x")


def test_completed_secondment_cannot_be_edited(world):
    secondment = _in_state(world, SecondmentStatus.COMPLETED)
    with pytest.raises(DomainError, match="can no longer be changed"):
        services.secondment_update(
            secondment=secondment,
            actor=world.admin,
            changes={"notes": "Late note"},
            expected_version=None,
        )
