"""The RAG inputs the database keeps on each commitment always equal a full recomputation,
whatever sequence of service calls (and raw writes) came before, and RAG from them equals
RAG worked out from the milestones and updates themselves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from institutes import services as people
from institutes.choices import Role
from mou import services
from mou.choices import RAG_QUIET_DAYS, CommitmentStatus, MilestoneStatus
from mou.models import Commitment, Milestone
from mou.selectors import rag_input_drift, recomputed_rag_inputs
from tests.factories import (
    CommitmentFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2027, 3, 31, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
# From 10 hours behind UTC to 14 ahead, with daylight saving on both sides of the world.
ZONES = ("Europe/London", "Australia/Sydney", "Pacific/Kiritimati", "America/Los_Angeles")
# Instants at which kept and recomputed RAG are always compared, besides each boundary.
INSTANTS = [NOW + dt.timedelta(days=d) for d in (-3, 0, 7, 20, 45)]
SECOND = dt.timedelta(seconds=1)


def boundaries(ids: list[int]) -> list[dt.datetime]:
    """Each instant at which some commitment's RAG may change, a second either side."""
    found = set(INSTANTS)
    for inputs in recomputed_rag_inputs(commitment_ids=ids).values():
        for at in (inputs.late_from, inputs.due_soon_from, inputs.last_update_at):
            if at is not None:
                found |= {at - SECOND, at, at + SECOND}
        if inputs.last_update_at is not None:
            quiet_ends = inputs.last_update_at + dt.timedelta(days=RAG_QUIET_DAYS)
            found |= {quiet_ends - SECOND, quiet_ends, quiet_ends + SECOND}
    return sorted(found)


actions = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 2), st.integers(-20, 40), st.integers(0, 3)),
    st.tuples(st.just("complete"), st.integers(0, 2), st.integers(0, 9)),
    st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 9)),
    st.tuples(st.just("reschedule"), st.integers(0, 2), st.integers(0, 9), st.integers(-20, 40)),
    st.tuples(st.just("update"), st.integers(0, 2), st.integers(-60 * 24, 3 * 24)),
    st.tuples(
        st.just("status"),
        st.integers(0, 2),
        st.sampled_from([s for s in CommitmentStatus.values if s != CommitmentStatus.WITHDRAWN]),
    ),
    st.tuples(st.just("zone"), st.integers(0, 3), st.sampled_from(ZONES)),
    st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, 9)),
)


def _open_milestone(commitment: Commitment, index: int) -> Milestone | None:
    open_ones = list(commitment.milestones.filter(status=MilestoneStatus.OPEN).order_by("pk"))
    return open_ones[index % len(open_ones)] if open_ones else None


def _apply(action: tuple, *, actor, commitments, persons) -> None:  # type: ignore[no-untyped-def]
    kind, which, *rest = action
    try:
        if kind == "zone":
            person = persons[which]
            person.refresh_from_db()
            people.person_update(
                person=person, actor=actor, changes={"time_zone": rest[0]},
                expected_version=person.version,
            )  # fmt: skip
            return
        commitment = commitments[which]
        if kind == "add":
            services.milestone_add(
                commitment=commitment, actor=actor, title="Step",
                due_on=TODAY + dt.timedelta(days=rest[0]), owner=persons[rest[1]],
            )  # fmt: skip
        elif kind == "update":
            services.progress_update_post(
                commitment=commitment, actor=actor, note="Progress",
                posted_at=NOW + dt.timedelta(hours=rest[0]),
            )  # fmt: skip
        elif kind == "status":
            services.commitment_transition(commitment=commitment, to=rest[0], actor=actor)
        else:
            milestone = _open_milestone(commitment, rest[0])
            if milestone is None:
                return
            if kind == "complete":
                services.milestone_complete(milestone=milestone, actor=actor)
            elif kind == "cancel":
                services.milestone_cancel(milestone=milestone, actor=actor, reason="Not needed")
            elif kind == "reschedule":
                services.milestone_reschedule(
                    milestone=milestone, actor=actor, due_on=TODAY + dt.timedelta(days=rest[1])
                )
            elif kind == "delete":
                # Not a service: the triggers keep the inputs right on any write path.
                milestone.delete()
    except DomainError:
        pass  # a refused action (e.g. a transition the table forbids) changes nothing


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    actor = UserFactory(roles=[str(Role.ADMINISTRATOR)])
    PersonFactory(user=actor)
    persons = [
        PersonFactory(institute=InstituteFactory(time_zone=zone), time_zone=zone) for zone in ZONES
    ]
    return actor, persons


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(actions, min_size=1, max_size=14))
def test_kept_rag_equals_recomputed_after_any_sequence_of_service_calls(world, steps) -> None:  # type: ignore[no-untyped-def]
    actor, persons = world
    commitments = [CommitmentFactory(owner=persons[i]) for i in range(3)]
    for step in steps:
        _apply(step, actor=actor, commitments=commitments, persons=persons)
    ids = [c.pk for c in commitments]
    assert rag_input_drift(commitment_ids=ids) == {}
    for now in boundaries(ids):
        kept = dict(
            Commitment.objects.filter(pk__in=ids).with_rag(now=now).values_list("pk", "rag")
        )
        full = dict(
            Commitment.objects.filter(pk__in=ids)
            .with_rag_recomputed(now=now)
            .values_list("pk", "rag")
        )
        assert kept == full, f"at {now:%Y-%m-%d %H:%M} UTC after {steps}"


def test_kept_inputs_follow_each_kind_of_change() -> None:
    london = PersonFactory(
        institute=InstituteFactory(time_zone="Europe/London"), time_zone="Europe/London"
    )
    commitment = CommitmentFactory(owner=london)
    commitment.refresh_from_db()
    assert commitment.open_milestone_count == 0 and commitment.late_from is None
    first = MilestoneFactory(commitment=commitment, owner=london, due_on=dt.date(2027, 4, 10))
    MilestoneFactory(commitment=commitment, owner=london, due_on=dt.date(2027, 5, 1))
    commitment.refresh_from_db()
    assert commitment.open_milestone_count == 2
    assert commitment.next_due_on == dt.date(2027, 4, 10)
    # The end of 10 April in London (BST) is 23:00 UTC.
    assert commitment.late_from == dt.datetime(2027, 4, 10, 23, 0, tzinfo=UTC)
    # Moving the owner to Sydney moves the instant to the end of 10 April there (AEST).
    london.time_zone = "Australia/Sydney"
    london.save()
    commitment.refresh_from_db()
    assert commitment.late_from == dt.datetime(2027, 4, 10, 14, 0, tzinfo=UTC)
    # A stale copy of the commitment saved over the row cannot write old values back.
    stale = Commitment.objects.get(pk=commitment.pk)
    Milestone.objects.filter(pk=first.pk).update(
        status=MilestoneStatus.CANCELLED, status_reason="x"
    )
    stale.title = "Renamed"
    stale.save()
    stale.refresh_from_db()
    assert stale.open_milestone_count == 1
    assert stale.next_due_on == dt.date(2027, 5, 1)


def test_check_command_finds_and_repairs_drift(capsys) -> None:  # type: ignore[no-untyped-def]
    commitment = CommitmentFactory()
    MilestoneFactory(commitment=commitment, due_on=dt.date(2027, 4, 10))
    call_command("check_rag_inputs")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events before ALTER
        cursor.execute("ALTER TABLE mou_commitment DISABLE TRIGGER mou_commitment_rag_inputs")
        cursor.execute(
            "UPDATE mou_commitment SET open_milestone_count = 7, next_due_on = NULL WHERE id = %s",
            [commitment.pk],
        )
    try:
        with pytest.raises(CommandError, match="1 commitment"):
            call_command("check_rag_inputs")
        assert f"Commitment {commitment.pk}" in capsys.readouterr().out
        with pytest.raises(CommandError, match="triggers .* missing"):
            call_command("check_rag_inputs", repair=True)
        assert "Repaired 1 commitment(s); 0 still differ." in capsys.readouterr().out
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE mou_commitment ENABLE TRIGGER mou_commitment_rag_inputs")
    call_command("check_rag_inputs")
    assert rag_input_drift() == {}
    assert recomputed_rag_inputs()[commitment.pk].open_milestone_count == 1
