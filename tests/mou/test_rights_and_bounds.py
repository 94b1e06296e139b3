"""Who may change which commitment field (the rights table), and the bounds on dates and
reasons: each refusal names the field, and nothing is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.errors import DomainError
from exchanges import services as exchange_services
from exchanges.choices import SecondmentStatus
from institutes.choices import Role
from mou import services
from mou.choices import COMMITMENT_FIELD_EDITORS, CommitmentStatus, Editor, Recurrence
from mou.models import Commitment, Milestone
from mou.recurrence import occurrence_in_series
from tests.factories import (
    SYSTEM,
    AgreementFactory,
    CommitmentFactory,
    MilestoneFactory,
    PersonFactory,
    SecondmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _owner_of(commitment: Commitment) -> Any:
    user = UserFactory(roles=[Role.COMMITMENT_OWNER])
    person = commitment.owner
    person.user = user
    person.save()
    return user


def _officer_at(institute: Any) -> Any:
    user = UserFactory(roles=[Role.POLICY_OFFICER])
    PersonFactory(institute=institute, user=user)
    return user


def _value_for(commitment: Commitment, name: str) -> Any:
    agreement = commitment.agreement
    other = agreement.parties.exclude(pk=commitment.lead_institute_id).first()
    return {
        "owed_by": other,
        "lead_institute": other,
        "owner": PersonFactory(institute=commitment.lead_institute),
        "clause": commitment.clause,  # same clause: replaced below by a new one
        "start_on": dt.date(2026, 7, 1),
        "target_on": dt.date(2027, 5, 31),
        "recurrence": Recurrence.YEARLY,
        "recurrence_count": 3,
        "is_illustrative": not commitment.is_illustrative,
        "reference": f"{commitment.reference}-b",
    }.get(name, f"{getattr(commitment, name) or ''} changed")


EDITABLE = sorted(set(COMMITMENT_FIELD_EDITORS) - {"clause"})


@pytest.mark.parametrize("who", [Editor.OWNER, Editor.OFFICER, Editor.ADMINISTRATOR])
@pytest.mark.parametrize("name", EDITABLE)
def test_commitment_fields_by_role(who: str, name: str) -> None:
    recurring = {"recurrence": Recurrence.QUARTERLY} if name == "recurrence_count" else {}
    commitment = CommitmentFactory(start_on=dt.date(2026, 6, 1), **recurring)
    actor = {
        Editor.OWNER: lambda: _owner_of(commitment),
        Editor.OFFICER: lambda: _officer_at(commitment.lead_institute),
        Editor.ADMINISTRATOR: lambda: UserFactory(roles=[Role.ADMINISTRATOR]),
    }[who]()
    value = _value_for(commitment, name)
    allowed = who in COMMITMENT_FIELD_EDITORS[name]
    if allowed:
        saved = services.commitment_update(
            commitment=commitment, actor=actor, changes={name: value}, expected_version=None
        )
        assert getattr(saved, name) == value
    else:
        with pytest.raises(DomainError) as error:
            services.commitment_update(
                commitment=commitment, actor=actor, changes={name: value}, expected_version=None
            )
        assert name in error.value.errors or "__all__" in error.value.errors
        assert Commitment.objects.get(pk=commitment.pk).version == commitment.version


def test_an_owner_cannot_change_who_owes_or_leads() -> None:
    """The reported case: the UK owner moved owed_by and lead to the Australian side."""
    commitment = CommitmentFactory()
    owner = _owner_of(commitment)
    other = commitment.agreement.parties.exclude(pk=commitment.lead_institute_id).get()
    with pytest.raises(DomainError) as error:
        services.commitment_update(
            commitment=commitment,
            actor=owner,
            changes={"owed_by": other, "lead_institute": other},
            expected_version=commitment.version,
        )
    assert set(error.value.errors) == {"owed_by", "lead_institute"}
    commitment.refresh_from_db()
    assert commitment.lead_institute_id != other.pk and commitment.owed_by_id is None


def test_an_officer_of_another_agreement_cannot_change_who_owes() -> None:
    commitment = CommitmentFactory()
    outsider = _officer_at(AgreementFactory().parties.first())
    with pytest.raises(DomainError):
        services.commitment_update(
            commitment=commitment,
            actor=outsider,
            changes={"owed_by": commitment.lead_institute},
            expected_version=None,
        )


def test_a_closed_commitment_keeps_its_record_but_notes() -> None:
    commitment = CommitmentFactory(status=CommitmentStatus.COMPLETED)
    owner = _owner_of(commitment)
    with pytest.raises(DomainError) as error:
        services.commitment_update(
            commitment=commitment, actor=owner, changes={"title": "New"}, expected_version=None
        )
    assert "title" in error.value.errors
    saved = services.commitment_update(
        commitment=commitment, actor=owner, changes={"notes": "Closed out"}, expected_version=None
    )
    assert saved.notes == "Closed out"


def test_an_unchanged_commitment_save_writes_nothing() -> None:
    commitment = CommitmentFactory(notes="As it was")
    owner = _owner_of(commitment)
    every_field = {name: getattr(commitment, name) for name in COMMITMENT_FIELD_EDITORS}
    saved = services.commitment_update(
        commitment=commitment, actor=owner, changes=every_field, expected_version=1
    )
    assert saved.version == commitment.version


# --- Bounds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"target_on": dt.date(1900, 1, 1)}, "target_on", "2000 to 2100"),
        ({"start_on": dt.date(9999, 12, 31)}, "start_on", "2000 to 2100"),
        ({"start_on": dt.date(2026, 1, 1)}, "start_on", "before the agreement was signed"),
    ],
)
def test_commitment_dates_within_the_agreements_life(changes, field, words) -> None:
    commitment = CommitmentFactory()  # agreement signed 25 May 2026
    with pytest.raises(DomainError) as error:
        services.commitment_update(
            commitment=commitment, actor=SYSTEM, changes=changes, expected_version=None
        )
    assert words in error.value.errors[field]


def test_milestone_dates_within_the_agreements_life() -> None:
    agreement = AgreementFactory(expires_on=dt.date(2030, 5, 24))
    commitment = CommitmentFactory(clause__agreement=agreement)
    with pytest.raises(DomainError) as error:
        services.milestone_add(
            commitment=commitment, actor=SYSTEM, title="Too late", due_on=dt.date(2031, 1, 1)
        )
    assert "after the agreement expires on 24 May 2030" in error.value.errors["due_on"]
    milestone = MilestoneFactory(commitment=commitment)
    with pytest.raises(DomainError) as error:
        services.milestone_reschedule(milestone=milestone, due_on=dt.date(1900, 1, 1), actor=SYSTEM)
    assert "2000 to 2100" in error.value.errors["due_on"]


@pytest.mark.parametrize("reason", ["", "  ", "\U000e0001\U000e0002", "..", "-- !"])
def test_junk_reasons_are_refused(reason: str) -> None:
    commitment = CommitmentFactory()
    with pytest.raises(DomainError) as error:
        services.commitment_transition(
            commitment=commitment, to=CommitmentStatus.WITHDRAWN, actor=SYSTEM, reason=reason
        )
    assert "reason" in error.value.errors
    secondment = SecondmentFactory()
    with pytest.raises(DomainError) as error:
        exchange_services.secondment_cancel(secondment=secondment, actor=SYSTEM, reason=reason)
    assert "reason" in error.value.errors
    secondment.refresh_from_db()
    assert secondment.status == SecondmentStatus.PROPOSED


def test_recurrence_anchored_in_9999_ends_instead_of_failing() -> None:
    assert (
        occurrence_in_series(
            anchor=dt.date(9999, 1, 31),
            recurrence=Recurrence.MONTHLY,
            sequence=2,
            count=None,
            ends_on=None,
        )  # fmt: skip
        is None
    )
    assert (
        occurrence_in_series(
            anchor=dt.date(2099, 6, 30),
            recurrence=Recurrence.YEARLY,
            sequence=3,
            count=None,
            ends_on=None,
        )  # fmt: skip
        is None
    )


def test_completing_the_last_occurrence_of_2100_does_not_fail() -> None:
    """A recurring series whose next occurrence would fall after 2100 simply ends."""
    commitment = CommitmentFactory(
        recurrence=Recurrence.YEARLY, start_on=dt.date(2100, 6, 30), target_on=None
    )
    milestone = Milestone.objects.create(
        commitment=commitment, title="Last", due_on=dt.date(2100, 6, 30),
        owner=commitment.owner, sequence=1,
    )  # fmt: skip
    done = services.milestone_complete(
        milestone=milestone, actor=SYSTEM, done_on=dt.date(2026, 12, 1)
    )
    assert done.status == "done"
    assert not Milestone.objects.filter(commitment=commitment, sequence=2).exists()
