"""core.services.save_changes: a save that changes nothing writes nothing."""

import datetime as dt

import pghistory.models
import pytest

from core.errors import DomainError, StaleRecord
from core.services import changed_values, save_changes
from mou.models import Commitment
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

ALLOWED = {"title", "notes", "start_on", "target_on", "owed_by", "lead_institute"}


def events(commitment: Commitment) -> int:
    return pghistory.models.Events.objects.tracks(commitment).count()


@pytest.fixture
def commitment() -> Commitment:
    commitment = CommitmentFactory(
        title="Joint testing", notes="As agreed.", start_on=dt.date(2026, 6, 1),
        target_on=dt.date(2027, 5, 31),
    )  # fmt: skip
    commitment.refresh_from_db()
    return commitment


def unchanged(commitment: Commitment) -> dict[str, object]:
    return {
        "title": commitment.title,
        "notes": commitment.notes,
        "start_on": commitment.start_on,
        "target_on": commitment.target_on,
        "owed_by": commitment.owed_by,
        "lead_institute": commitment.lead_institute,
    }


def test_save_changes_with_the_stored_values_writes_nothing(commitment):
    before = (events(commitment), commitment.version, commitment.updated_at)
    saved = save_changes(
        commitment, unchanged(commitment), allowed=ALLOWED, expected_version=commitment.version
    )
    fresh = Commitment.objects.get(pk=commitment.pk)
    assert (events(fresh), fresh.version, fresh.updated_at) == before
    assert saved.version == before[1]


def test_save_changes_compares_relations_by_id_text_stripped_and_dates_by_value(commitment):
    version = commitment.version
    save_changes(
        commitment,
        {
            "title": "  Joint testing \n",
            "lead_institute": commitment.lead_institute_id,
            "owed_by": None,
            "start_on": "2026-06-01",
            "notes": "As agreed.",
        },
        allowed=ALLOWED,
        expected_version=version,
    )
    assert Commitment.objects.get(pk=commitment.pk).version == version


def test_save_changes_with_one_new_value_saves_once_and_keeps_the_rest(commitment):
    before = Commitment.objects.filter(pk=commitment.pk).values().get()
    count = events(commitment)
    save_changes(
        commitment,
        unchanged(commitment) | {"notes": "Moved to phase two."},
        allowed=ALLOWED,
        expected_version=commitment.version,
    )
    after = Commitment.objects.filter(pk=commitment.pk).values().get()
    assert events(commitment) == count + 1
    assert after["version"] == before["version"] + 1
    assert after["notes"] == "Moved to phase two."
    ignored = {"notes", "version", "updated_at"}
    assert {k: v for k, v in after.items() if k not in ignored} == {
        k: v for k, v in before.items() if k not in ignored
    }


def test_save_changes_refuses_a_stale_copy_even_when_it_changes_nothing(commitment):
    Commitment.objects.filter(pk=commitment.pk).update(version=commitment.version + 1)
    commitment.refresh_from_db()
    with pytest.raises(StaleRecord):
        save_changes(
            commitment,
            unchanged(commitment),
            allowed=ALLOWED,
            expected_version=commitment.version - 1,
        )


def test_save_changes_lets_an_unchanged_forbidden_field_through_but_not_a_changed_one(
    commitment,
):
    version = commitment.version
    save_changes(
        commitment,
        {"reference": commitment.reference, "notes": "Changed."},
        allowed={"notes"},
        expected_version=version,
    )
    assert Commitment.objects.get(pk=commitment.pk).notes == "Changed."
    with pytest.raises(DomainError) as error:
        save_changes(commitment, {"reference": "Z-1"}, allowed={"notes"})
    assert error.value.errors == {"reference": "This field cannot be changed here."}


def test_save_changes_refuses_an_unknown_field(commitment):
    with pytest.raises(DomainError) as error:
        save_changes(commitment, {"colour": "red"}, allowed=ALLOWED)
    assert error.value.errors == {"colour": "This field cannot be changed here."}


def test_changed_values_keeps_only_what_differs(commitment):
    assert changed_values(
        commitment,
        {"title": "Joint testing", "target_on": dt.date(2027, 6, 30), "start_on": None},
    ) == {"target_on": dt.date(2027, 6, 30), "start_on": None}
