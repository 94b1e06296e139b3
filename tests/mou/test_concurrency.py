"""Two people editing the same record: a stale copy is refused with what changed, and
transitions at the same moment are serialised by the row lock."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from core.errors import StaleRecord, TransitionNotAllowed
from mou import services
from mou.choices import CommitmentStatus
from mou.models import Agreement, Commitment, Milestone
from tests.factories import SYSTEM, AgreementFactory, CommitmentFactory, MilestoneFactory


@pytest.mark.django_db
def test_commitment_stale_edit_refused_naming_what_changed() -> None:
    commitment = CommitmentFactory(title="Joint evaluation", description="First draft.")
    version = commitment.version
    mine = Commitment.objects.get(pk=commitment.pk)
    theirs = Commitment.objects.get(pk=commitment.pk)

    services.commitment_update(
        commitment=theirs,
        actor=SYSTEM,
        changes={"title": "Joint evaluation of frontier models"},
        expected_version=version,
    )
    with pytest.raises(StaleRecord) as caught:
        services.commitment_update(
            commitment=mine,
            actor=SYSTEM,
            changes={"description": "My rewrite."},
            expected_version=version,
        )

    message = caught.value.errors["__all__"]
    assert "Someone else saved this record" in message
    assert "title: “Joint evaluation” → “Joint evaluation of frontier models”" in message
    assert "nothing of yours was saved" in message
    assert caught.value.changes == {
        "title": ("Joint evaluation", "Joint evaluation of frontier models")
    }
    commitment.refresh_from_db()
    assert commitment.title == "Joint evaluation of frontier models"
    assert commitment.description == "First draft."
    assert commitment.version == version + 1


@pytest.mark.django_db
def test_commitment_edit_of_current_version_accepted_twice_in_turn() -> None:
    commitment = CommitmentFactory()
    first = services.commitment_update(
        commitment=commitment, actor=SYSTEM, changes={"theme": "Research"}, expected_version=1
    )
    second = services.commitment_update(
        commitment=commitment, actor=SYSTEM, changes={"theme": "Testing"}, expected_version=2
    )
    assert (first.version, second.version) == (2, 3)


@pytest.mark.django_db
def test_commitment_stale_after_transition_names_status() -> None:
    commitment = CommitmentFactory(status=CommitmentStatus.ON_TRACK)
    services.commitment_transition(commitment=commitment, to=CommitmentStatus.AT_RISK, actor=SYSTEM)
    with pytest.raises(StaleRecord) as caught:
        services.commitment_update(
            commitment=commitment, actor=SYSTEM, changes={"title": "x"}, expected_version=1
        )
    assert caught.value.changes == {"status": ("On track", "At risk")}


@pytest.mark.django_db
def test_agreement_and_milestone_stale_edits_refused() -> None:
    agreement = AgreementFactory(summary="Old")
    services.agreement_update(
        agreement=agreement, actor=SYSTEM, changes={"summary": "New"}, expected_version=1
    )
    with pytest.raises(StaleRecord):
        services.agreement_update(
            agreement=agreement, actor=SYSTEM, changes={"notes": "Mine"}, expected_version=1
        )
    assert Agreement.objects.get(pk=agreement.pk).notes == ""

    milestone = MilestoneFactory(title="Old")
    services.milestone_update(
        milestone=milestone, actor=SYSTEM, changes={"title": "New"}, expected_version=1
    )
    with pytest.raises(StaleRecord):
        services.milestone_update(
            milestone=milestone, actor=SYSTEM, changes={"title": "Mine"}, expected_version=1
        )
    assert Milestone.objects.get(pk=milestone.pk).title == "New"


def _in_thread(target: Any, results: dict[str, Any], key: str) -> threading.Thread:
    def run() -> None:
        try:
            results[key] = target()
        except Exception as error:  # noqa: BLE001 - reported to the test thread
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_commitment_transitions_at_once_are_serialised() -> None:
    commitment = CommitmentFactory(status=CommitmentStatus.ON_TRACK)
    first_has_lock = threading.Event()
    results: dict[str, Any] = {}

    def complete_and_hold() -> str:
        with transaction.atomic():
            services.commitment_transition(
                commitment=commitment, to=CommitmentStatus.COMPLETED, actor=SYSTEM
            )
            first_has_lock.set()
            time.sleep(0.5)  # keep the row locked while the other transition arrives
        return "completed"

    def withdraw() -> float:
        first_has_lock.wait(5)
        started = time.monotonic()
        services.commitment_transition(
            commitment=commitment, to=CommitmentStatus.WITHDRAWN, actor=SYSTEM, reason="Dropped."
        )
        return time.monotonic() - started

    threads = [
        _in_thread(complete_and_hold, results, "first"),
        _in_thread(withdraw, results, "second"),
    ]
    for thread in threads:
        thread.join(10)

    assert results["first"] == "completed"
    # The second waited for the first's lock, then saw "Completed" and refused to move on.
    assert isinstance(results["second"], TransitionNotAllowed), results["second"]
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.COMPLETED
    assert commitment.version == 2


@pytest.mark.django_db(transaction=True)
def test_commitment_transitions_in_parallel_exactly_one_wins() -> None:
    commitment = CommitmentFactory(status=CommitmentStatus.ON_TRACK)
    start = threading.Barrier(2)
    results: dict[str, Any] = {}

    def move(to: str) -> Any:
        start.wait(5)
        return services.commitment_transition(
            commitment=commitment, to=to, actor=SYSTEM, reason="Superseded."
        )

    threads = [
        _in_thread(lambda: move(CommitmentStatus.COMPLETED), results, CommitmentStatus.COMPLETED),
        _in_thread(lambda: move(CommitmentStatus.WITHDRAWN), results, CommitmentStatus.WITHDRAWN),
    ]
    for thread in threads:
        thread.join(10)

    refused = [r for r in results.values() if isinstance(r, TransitionNotAllowed)]
    moved = [r for r in results.values() if isinstance(r, Commitment)]
    assert (len(moved), len(refused)) == (1, 1), results
    commitment.refresh_from_db()
    assert commitment.status == moved[0].status
    assert commitment.version == 2


@pytest.mark.django_db
def test_stale_edit_names_a_changed_owner_rather_than_its_number() -> None:
    from tests.factories import PersonFactory

    commitment = CommitmentFactory()
    first_owner = commitment.owner
    new_owner = PersonFactory(institute=commitment.lead_institute, name="Second Owner")
    services.commitment_update(
        commitment=commitment, actor=SYSTEM, changes={"owner": new_owner}, expected_version=1
    )
    with pytest.raises(StaleRecord) as caught:
        services.commitment_update(
            commitment=commitment, actor=SYSTEM, changes={"theme": "x"}, expected_version=1
        )
    assert f"owner: “{first_owner.name}” → “Second Owner”" in caught.value.errors["__all__"]
