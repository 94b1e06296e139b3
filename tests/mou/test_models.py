"""Every rule of the register's tables, checked twice: by the database itself (a bad row
written directly is refused) and by the services (a DomainError naming the field)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError
from core.services import validate
from institutes.models import Institute, Person
from mou import services
from mou.models import Clause, Commitment, Milestone
from tests.factories import (
    SYSTEM,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def refused_by_database(write) -> IntegrityError:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    return caught.value


# --- Agreements -------------------------------------------------------------------------


def test_agreement_effective_before_signed_refused_by_database() -> None:
    agreement = AgreementFactory(signed_on=dt.date(2026, 5, 25))
    agreement.effective_on = dt.date(2026, 5, 24)
    error = refused_by_database(agreement.save)
    assert "mou_agreement_effective_after_signed" in str(error)


def test_agreement_effective_before_signed_refused_by_service() -> None:
    a, b = InstituteFactory(), InstituteFactory()
    with pytest.raises(DomainError) as caught:
        services.agreement_create(
            actor=SYSTEM,
            title="Bad dates",
            code="bad-dates",
            parties=[a, b],
            signed_on=dt.date(2026, 5, 25),
            effective_on=dt.date(2026, 5, 24),
        )
    assert caught.value.errors == {
        "effective_on": "The effective date cannot be before the signing date."
    }


def test_agreement_effective_on_signing_day_allowed() -> None:
    a, b = InstituteFactory(), InstituteFactory()
    agreement = services.agreement_create(
        actor=SYSTEM,
        title="Same day",
        code="same-day",
        parties=[a, b],
        signed_on=dt.date(2026, 5, 25),
        effective_on=dt.date(2026, 5, 25),
    )
    assert agreement.pk


def test_agreement_expiry_not_after_effective_refused_by_database() -> None:
    agreement = AgreementFactory(effective_on=dt.date(2026, 5, 25))
    agreement.expires_on = dt.date(2026, 5, 25)
    error = refused_by_database(agreement.save)
    assert "mou_agreement_expires_after_effective" in str(error)


def test_agreement_expiry_before_effective_refused_by_service() -> None:
    agreement = AgreementFactory(effective_on=dt.date(2026, 5, 25))
    with pytest.raises(DomainError) as caught:
        services.agreement_update(
            agreement=agreement,
            actor=SYSTEM,
            changes={"expires_on": dt.date(2026, 1, 1)},
            expected_version=agreement.version,
        )
    assert caught.value.errors == {
        "expires_on": "The expiry date must be after the effective date."
    }
    agreement.refresh_from_db()
    assert agreement.expires_on is None


def test_agreement_review_before_signed_refused_by_database_and_service() -> None:
    agreement = AgreementFactory(signed_on=dt.date(2026, 5, 25))
    agreement.review_on = dt.date(2026, 5, 1)
    refused_by_database(agreement.save)
    agreement.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.agreement_update(
            agreement=agreement,
            actor=SYSTEM,
            changes={"review_on": dt.date(2026, 5, 1)},
            expected_version=agreement.version,
        )
    assert "review_on" in caught.value.errors


def test_agreement_unknown_status_refused_by_database() -> None:
    agreement = AgreementFactory()
    agreement.status = "dormant"
    error = refused_by_database(agreement.save)
    assert "mou_agreement_status_valid" in str(error)


def test_agreement_needs_two_parties() -> None:
    a = InstituteFactory()
    with pytest.raises(DomainError) as caught:
        services.agreement_create(actor=SYSTEM, title="Alone", code="alone", parties=[a, a])
    assert "parties" in caught.value.errors


# --- Clauses ----------------------------------------------------------------------------


def test_clause_duplicate_number_refused_by_database() -> None:
    clause = ClauseFactory(number="3.2")
    error = refused_by_database(
        lambda: Clause.objects.create(agreement=clause.agreement, number="3.2", title="Again")
    )
    assert "mou_clause_unique_number" in str(error)


def test_clause_duplicate_number_refused_by_service() -> None:
    clause = ClauseFactory(number="3.2")
    with pytest.raises(DomainError) as caught:
        services.clause_create(
            agreement=clause.agreement, number=" 3.2 ", title="Again", actor=SYSTEM
        )
    assert caught.value.errors == {
        "number": "This agreement already has a clause with this number."
    }


def test_clause_same_number_in_another_agreement_allowed() -> None:
    ClauseFactory(number="3.2")
    other = AgreementFactory()
    clause = services.clause_create(agreement=other, number="3.2", title="Fine", actor=SYSTEM)
    assert clause.pk


def test_clause_blank_number_refused_by_database() -> None:
    agreement = AgreementFactory()
    refused_by_database(lambda: Clause.objects.create(agreement=agreement, number="", title="x"))


# --- Commitments ------------------------------------------------------------------------


def test_commitment_target_before_start_refused_by_database() -> None:
    commitment = CommitmentFactory(start_on=dt.date(2026, 6, 1))
    commitment.target_on = dt.date(2026, 5, 31)
    error = refused_by_database(commitment.save)
    assert "mou_commitment_target_after_start" in str(error)


def test_commitment_target_before_start_refused_by_service() -> None:
    commitment = CommitmentFactory(start_on=dt.date(2026, 6, 1))
    with pytest.raises(DomainError) as caught:
        services.commitment_update(
            commitment=commitment,
            actor=SYSTEM,
            changes={"target_on": dt.date(2026, 5, 31)},
            expected_version=commitment.version,
        )
    assert caught.value.errors == {"target_on": "The target date cannot be before the start date."}


def test_commitment_owed_by_non_party_refused_by_service() -> None:
    agreement = AgreementFactory()
    clause = ClauseFactory(agreement=agreement)
    lead = agreement.parties.order_by("pk").first()
    outsider = InstituteFactory(name="Outside Institute")
    with pytest.raises(DomainError) as caught:
        services.commitment_create(
            actor=SYSTEM,
            agreement=agreement,
            clause=clause,
            reference="1-a",
            title="Owed by an outsider",
            owner=PersonFactory(institute=lead),
            lead_institute=lead,
            owed_by=outsider,
        )
    assert caught.value.errors == {
        "owed_by": "The institute that owes a commitment must be a party to the agreement."
    }
    assert not Commitment.objects.filter(reference="1-a").exists()


def test_commitment_owed_by_changed_to_non_party_refused_by_service() -> None:
    commitment = CommitmentFactory()
    with pytest.raises(DomainError) as caught:
        services.commitment_update(
            commitment=commitment,
            actor=SYSTEM,
            changes={"owed_by": InstituteFactory()},
            expected_version=commitment.version,
        )
    assert "owed_by" in caught.value.errors
    commitment.refresh_from_db()
    assert commitment.owed_by is None


def test_commitment_clause_of_another_agreement_refused_by_service() -> None:
    agreement = AgreementFactory()
    lead = agreement.parties.order_by("pk").first()
    with pytest.raises(DomainError) as caught:
        services.commitment_create(
            actor=SYSTEM,
            agreement=agreement,
            clause=ClauseFactory(),
            reference="1-a",
            title="Misfiled",
            owner=PersonFactory(institute=lead),
            lead_institute=lead,
        )
    assert "clause" in caught.value.errors


def test_commitment_duplicate_reference_refused_by_database_and_service() -> None:
    commitment = CommitmentFactory(reference="2.1-a")
    refused_by_database(lambda: CommitmentFactory(clause=commitment.clause, reference="2.1-a"))
    with pytest.raises(DomainError) as caught:
        services.commitment_create(
            actor=SYSTEM,
            agreement=commitment.agreement,
            clause=commitment.clause,
            reference="2.1-a",
            title="Twin",
            owner=commitment.owner,
            lead_institute=commitment.lead_institute,
        )
    assert caught.value.errors == {
        "reference": "This agreement already has a commitment with this reference."
    }


def test_commitment_withdrawn_without_reason_refused_by_database() -> None:
    commitment = CommitmentFactory()
    commitment.status = "withdrawn"
    error = refused_by_database(commitment.save)
    assert "mou_commitment_withdrawn_has_reason" in str(error)


def test_commitment_withdrawn_without_reason_refused_by_validation() -> None:
    commitment = CommitmentFactory()
    commitment.status = "withdrawn"
    with pytest.raises(DomainError) as caught:
        validate(commitment)
    assert caught.value.errors == {"status_reason": "Give a reason for withdrawing."}


def test_commitment_count_without_recurrence_refused_by_database_and_validation() -> None:
    commitment = CommitmentFactory()
    commitment.recurrence_count = 3
    with pytest.raises(DomainError) as caught:
        validate(commitment)
    assert caught.value.errors == {"recurrence_count": "A count of occurrences needs a recurrence."}
    refused_by_database(commitment.save)


def test_commitment_unknown_status_refused_by_database() -> None:
    commitment = CommitmentFactory()
    commitment.status = "paused"
    refused_by_database(commitment.save)


# --- Milestones -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "done_on", "reason"),
    [
        ("done", None, ""),  # done without a date
        ("open", dt.date(2027, 1, 1), ""),  # a date but not done
        ("cancelled", dt.date(2027, 1, 1), "dropped"),  # cancelled with a done date
    ],
)
def test_milestone_done_on_only_when_done_refused_by_database(
    status: str, done_on: dt.date | None, reason: str
) -> None:
    milestone = MilestoneFactory()
    milestone.status, milestone.done_on, milestone.status_reason = status, done_on, reason
    error = refused_by_database(milestone.save)
    assert "mou_milestone_done_on_iff_done" in str(error)


def test_milestone_done_on_without_done_refused_by_validation() -> None:
    milestone = MilestoneFactory()
    milestone.done_on = dt.date(2027, 1, 1)
    with pytest.raises(DomainError) as caught:
        validate(milestone)
    assert caught.value.errors == {"done_on": "A done milestone needs a done date, and only it."}


def test_milestone_cancelled_without_reason_refused_by_database() -> None:
    milestone = MilestoneFactory()
    milestone.status = "cancelled"
    error = refused_by_database(milestone.save)
    assert "mou_milestone_cancelled_has_reason" in str(error)


def test_milestone_cancelled_without_reason_refused_by_service() -> None:
    milestone = MilestoneFactory()
    with pytest.raises(DomainError) as caught:
        services.milestone_cancel(milestone=milestone, actor=SYSTEM, reason="  ")
    assert caught.value.errors == {"reason": "Give a reason for cancelling."}
    milestone.refresh_from_db()
    assert milestone.status == "open"


def test_milestone_done_in_the_future_refused_by_service() -> None:
    milestone = MilestoneFactory()
    with pytest.raises(DomainError) as caught:
        services.milestone_complete(
            milestone=milestone, actor=SYSTEM, done_on=timezone.localdate() + dt.timedelta(days=2)
        )
    assert "done_on" in caught.value.errors
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on) == ("open", None)


def test_milestone_duplicate_occurrence_refused_by_database() -> None:
    milestone = MilestoneFactory(sequence=1)
    refused_by_database(lambda: MilestoneFactory(commitment=milestone.commitment, sequence=1))


# --- Institutes and people ----------------------------------------------------------------


def test_institute_unknown_time_zone_refused_by_validation() -> None:
    institute = Institute(
        name="Olympus Institute", short_name="OLY", country="GB", time_zone="Mars/Olympus"
    )
    with pytest.raises(DomainError) as caught:
        validate(institute)
    assert caught.value.errors == {
        "time_zone": "“Mars/Olympus” is not a known IANA time zone (for example Europe/London)."
    }


def test_person_unknown_time_zone_refused_by_validation() -> None:
    person = Person(
        institute=InstituteFactory(),
        name="A Person",
        email="a@example.org",
        time_zone="Mars/Olympus",
    )
    with pytest.raises(DomainError) as caught:
        validate(person)
    assert list(caught.value.errors) == ["time_zone"]
    assert "Mars/Olympus" in caught.value.errors["time_zone"]


def test_institute_country_not_iso_refused_by_database_and_validation() -> None:
    institute = InstituteFactory()
    institute.country = "gb"
    with pytest.raises(DomainError) as caught:
        validate(institute)
    assert "country" in caught.value.errors
    refused_by_database(institute.save)


def test_person_duplicate_email_any_case_refused_by_database_and_validation() -> None:
    first = PersonFactory(email="ann@example.org")
    twin = Person(
        institute=first.institute, name="Ann", email="ANN@example.org", time_zone="Europe/London"
    )
    with pytest.raises(DomainError):
        validate(twin)
    refused_by_database(twin.save)


def test_person_own_manager_refused_by_database() -> None:
    person = PersonFactory()
    person.manager = person
    refused_by_database(person.save)


def test_milestone_model_keeps_done_date_with_done_status() -> None:
    milestone = MilestoneFactory(status="done", done_on=dt.date(2027, 1, 1))
    assert Milestone.objects.get(pk=milestone.pk).done_on == dt.date(2027, 1, 1)
