"""The register's services: every lifecycle transition, allowed and forbidden, and who may
do what."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from core.errors import DomainError, PermissionDenied, TransitionNotAllowed
from institutes.choices import Role
from mou import services
from mou.choices import (
    AGREEMENT_NEEDS_REASON,
    AGREEMENT_TRANSITIONS,
    COMMITMENT_NEEDS_REASON,
    COMMITMENT_TRANSITIONS,
    MILESTONE_TRANSITIONS,
    AgreementStatus,
    CommitmentStatus,
    MilestoneStatus,
)
from mou.models import Agreement, Commitment, Milestone, ProgressUpdate
from tests.factories import (
    SYSTEM,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DONE_ON = dt.date(2026, 6, 1)


def pairs(choices: type) -> list[tuple[str, str]]:
    return list(itertools.product(choices.values, repeat=2))


def user_with(*roles: Role, person_of=None):  # type: ignore[no-untyped-def]
    """A user with ``roles``, linked to ``person_of`` (or to a new person)."""
    user = UserFactory(roles=[str(r) for r in roles])
    if person_of is None:
        PersonFactory(user=user)
    else:
        person_of.user = user
        person_of.save()
    return user


# --- Agreement lifecycle ----------------------------------------------------------------


@pytest.mark.parametrize(("current", "to"), pairs(AgreementStatus))
def test_agreement_transition_follows_the_table(current: str, to: str) -> None:
    agreement = AgreementFactory(
        status=current,
        status_reason="Ended by notice." if current == AgreementStatus.TERMINATED else "",
    )
    version = agreement.version
    if to in AGREEMENT_TRANSITIONS[current]:
        moved = services.agreement_transition(
            agreement=agreement, to=to, actor=SYSTEM, reason="Ended by notice."
        )
        assert moved.status == to
        agreement.refresh_from_db()
        assert (agreement.status, agreement.version) == (to, version + 1)
    else:
        with pytest.raises(TransitionNotAllowed) as caught:
            services.agreement_transition(agreement=agreement, to=to, actor=SYSTEM, reason="x")
        assert isinstance(caught.value, DomainError)
        assert "Cannot move from" in caught.value.errors["status"]
        agreement.refresh_from_db()
        assert (agreement.status, agreement.version) == (current, version)


@pytest.mark.parametrize("to", sorted(AGREEMENT_NEEDS_REASON))
def test_agreement_transition_needs_reason(to: str) -> None:
    agreement = AgreementFactory(status=AgreementStatus.IN_FORCE)
    with pytest.raises(DomainError) as caught:
        services.agreement_transition(agreement=agreement, to=to, actor=SYSTEM, reason="  ")
    assert caught.value.errors == {"reason": "Give a reason for terminating the agreement."}
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE


def test_agreement_transition_to_unknown_status_refused() -> None:
    agreement = AgreementFactory()
    with pytest.raises(DomainError) as caught:
        services.agreement_transition(agreement=agreement, to="dormant", actor=SYSTEM)
    assert "status" in caught.value.errors


def test_agreement_transition_keeps_reason() -> None:
    agreement = AgreementFactory()
    services.agreement_transition(
        agreement=agreement, to=AgreementStatus.TERMINATED, actor=SYSTEM, reason=" By notice. "
    )
    agreement.refresh_from_db()
    assert agreement.status_reason == "By notice."


# --- Commitment lifecycle ---------------------------------------------------------------


@pytest.mark.parametrize(("current", "to"), pairs(CommitmentStatus))
def test_commitment_transition_follows_the_table(current: str, to: str) -> None:
    commitment = CommitmentFactory(
        status=current,
        status_reason="No longer needed." if current == CommitmentStatus.WITHDRAWN else "",
    )
    version = commitment.version
    if to in COMMITMENT_TRANSITIONS[current]:
        services.commitment_transition(
            commitment=commitment, to=to, actor=SYSTEM, reason="No longer needed."
        )
        commitment.refresh_from_db()
        assert (commitment.status, commitment.version) == (to, version + 1)
    else:
        with pytest.raises(TransitionNotAllowed) as caught:
            services.commitment_transition(commitment=commitment, to=to, actor=SYSTEM, reason="x")
        assert "Cannot move from" in caught.value.errors["status"]
        commitment.refresh_from_db()
        assert (commitment.status, commitment.version) == (current, version)


@pytest.mark.parametrize("to", sorted(COMMITMENT_NEEDS_REASON))
def test_commitment_transition_needs_reason(to: str) -> None:
    commitment = CommitmentFactory(status=CommitmentStatus.ON_TRACK)
    with pytest.raises(DomainError) as caught:
        services.commitment_transition(commitment=commitment, to=to, actor=SYSTEM, reason="")
    assert caught.value.errors == {"reason": "Give a reason for withdrawing."}
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.ON_TRACK


def test_commitment_transition_message_uses_status_labels() -> None:
    commitment = CommitmentFactory(status=CommitmentStatus.COMPLETED)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.commitment_transition(
            commitment=commitment, to=CommitmentStatus.ON_TRACK, actor=SYSTEM
        )
    assert caught.value.errors == {"status": "Cannot move from “Completed” to “On track”."}


# --- Milestone lifecycle ----------------------------------------------------------------


def _milestone_in(status: str) -> Milestone:
    return MilestoneFactory(
        status=status,
        done_on=DONE_ON if status == MilestoneStatus.DONE else None,
        status_reason="Dropped." if status == MilestoneStatus.CANCELLED else "",
    )


def _move_milestone(milestone: Milestone, to: str) -> None:
    if to == MilestoneStatus.DONE:
        services.milestone_complete(milestone=milestone, actor=SYSTEM, done_on=DONE_ON)
    elif to == MilestoneStatus.CANCELLED:
        services.milestone_cancel(milestone=milestone, actor=SYSTEM, reason="Dropped.")
    else:  # pragma: no cover - the table has no way back to open
        raise AssertionError(to)


# A milestone never returns to "open" (no row of the table allows it, and no service
# offers it), so the targets are the two states a service can ask for.
@pytest.mark.parametrize(
    ("current", "to"),
    list(
        itertools.product(MilestoneStatus.values, [MilestoneStatus.DONE, MilestoneStatus.CANCELLED])
    ),
)
def test_milestone_transition_follows_the_table(current: str, to: str) -> None:
    milestone = _milestone_in(current)
    version = milestone.version
    if to in MILESTONE_TRANSITIONS[current]:
        _move_milestone(milestone, to)
        milestone.refresh_from_db()
        assert (milestone.status, milestone.version) == (to, version + 1)
    else:
        with pytest.raises(TransitionNotAllowed):
            _move_milestone(milestone, to)
        milestone.refresh_from_db()
        assert (milestone.status, milestone.version) == (current, version)


def test_milestone_transition_table_never_reopens() -> None:
    assert all(MilestoneStatus.OPEN not in targets for targets in MILESTONE_TRANSITIONS.values())


def test_milestone_complete_defaults_done_date_and_keeps_evidence() -> None:
    milestone = MilestoneFactory()
    done = services.milestone_complete(
        milestone=milestone, actor=SYSTEM, evidence_url="https://example.org/report"
    )
    assert done.done_on is not None
    assert done.evidence_url == "https://example.org/report"


def test_milestone_reschedule_only_when_open() -> None:
    milestone = _milestone_in(MilestoneStatus.DONE)
    with pytest.raises(DomainError) as caught:
        services.milestone_reschedule(milestone=milestone, due_on=dt.date(2027, 6, 1), actor=SYSTEM)
    assert "due_on" in caught.value.errors


def test_milestone_reschedule_moves_due_date_with_reason() -> None:
    milestone = MilestoneFactory()
    services.milestone_reschedule(
        milestone=milestone, due_on=dt.date(2027, 6, 30), actor=SYSTEM, reason="Venue moved."
    )
    milestone.refresh_from_db()
    assert (milestone.due_on, milestone.status_reason) == (dt.date(2027, 6, 30), "Venue moved.")


# --- Updates, edits ---------------------------------------------------------------------


def test_commitment_update_refuses_status_field() -> None:
    commitment = CommitmentFactory()
    with pytest.raises(DomainError) as caught:
        services.commitment_update(
            commitment=commitment,
            actor=SYSTEM,
            changes={"status": CommitmentStatus.COMPLETED},
            expected_version=commitment.version,
        )
    assert caught.value.errors == {"status": "This field cannot be changed here."}
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.ON_TRACK


def test_progress_update_post_with_status_moves_commitment() -> None:
    commitment = CommitmentFactory(status=CommitmentStatus.ON_TRACK)
    owner = user_with(Role.COMMITMENT_OWNER, person_of=commitment.owner)
    update = services.progress_update_post(
        commitment=commitment, actor=owner, note="Venue lost.", status=CommitmentStatus.AT_RISK
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.AT_RISK
    assert (update.status_set, update.author) == (CommitmentStatus.AT_RISK, commitment.owner)


def test_progress_update_post_with_forbidden_status_saves_nothing() -> None:
    commitment = CommitmentFactory(status=CommitmentStatus.COMPLETED)
    with pytest.raises(TransitionNotAllowed):
        services.progress_update_post(
            commitment=commitment,
            actor=SYSTEM,
            author=commitment.owner,
            note="Reopening.",
            status=CommitmentStatus.ON_TRACK,
        )
    assert not ProgressUpdate.objects.exists()


def test_progress_update_post_needs_a_note() -> None:
    commitment = CommitmentFactory()
    with pytest.raises(DomainError) as caught:
        services.progress_update_post(
            commitment=commitment, actor=SYSTEM, author=commitment.owner, note="  "
        )
    assert "note" in caught.value.errors


def test_progress_update_post_needs_an_author() -> None:
    commitment = CommitmentFactory()
    unlinked = UserFactory(roles=[str(Role.ADMINISTRATOR)])
    with pytest.raises(DomainError) as caught:
        services.progress_update_post(commitment=commitment, actor=unlinked, note="Done.")
    assert "author" in caught.value.errors


def test_commitment_create_recurring_schedules_first_occurrence() -> None:
    agreement = AgreementFactory()
    lead = agreement.parties.order_by("pk").first()
    commitment = services.commitment_create(
        actor=SYSTEM,
        agreement=agreement,
        clause=ClauseFactory(agreement=agreement),
        reference="4-a",
        title="Annual dialogue",
        owner=PersonFactory(institute=lead),
        lead_institute=lead,
        owed_by=lead,
        start_on=dt.date(2027, 3, 31),
        recurrence="yearly",
    )
    assert list(commitment.milestones.values_list("sequence", "due_on")) == [
        (1, dt.date(2027, 3, 31))
    ]


# --- Permissions ------------------------------------------------------------------------


@pytest.fixture
def commitment() -> Commitment:
    return CommitmentFactory(status=CommitmentStatus.ON_TRACK)


def test_owner_may_edit_and_transition_own_commitment(commitment: Commitment) -> None:
    owner = user_with(Role.COMMITMENT_OWNER, person_of=commitment.owner)
    services.commitment_update(
        commitment=commitment,
        actor=owner,
        changes={"title": "Renamed"},
        expected_version=commitment.version,
    )
    services.commitment_transition(commitment=commitment, to=CommitmentStatus.AT_RISK, actor=owner)
    milestone = services.milestone_add(
        commitment=commitment, actor=owner, title="Report", due_on=dt.date(2027, 1, 31)
    )
    services.milestone_complete(milestone=milestone, actor=owner, done_on=DONE_ON)
    commitment.refresh_from_db()
    assert (commitment.title, commitment.status) == ("Renamed", CommitmentStatus.AT_RISK)


def test_owner_may_not_touch_others_commitments(commitment: Commitment) -> None:
    someone_else = user_with(Role.COMMITMENT_OWNER)
    milestone = MilestoneFactory(commitment=commitment)
    attempts = [
        lambda: services.commitment_update(
            commitment=commitment,
            actor=someone_else,
            changes={"title": "Mine now"},
            expected_version=commitment.version,
        ),
        lambda: services.commitment_transition(
            commitment=commitment, to=CommitmentStatus.OFF_TRACK, actor=someone_else
        ),
        lambda: services.milestone_add(
            commitment=commitment, actor=someone_else, title="x", due_on=dt.date(2027, 1, 1)
        ),
        lambda: services.milestone_complete(
            milestone=milestone, actor=someone_else, done_on=DONE_ON
        ),
        lambda: services.milestone_cancel(milestone=milestone, actor=someone_else, reason="x"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    commitment.refresh_from_db()
    milestone.refresh_from_db()
    assert commitment.title != "Mine now"
    assert commitment.status == CommitmentStatus.ON_TRACK
    assert milestone.status == MilestoneStatus.OPEN


def test_owner_may_not_reassign_own_commitment(commitment: Commitment) -> None:
    owner = user_with(Role.COMMITMENT_OWNER, person_of=commitment.owner)
    with pytest.raises(PermissionDenied):
        services.commitment_update(
            commitment=commitment,
            actor=owner,
            changes={"owner": PersonFactory(institute=commitment.lead_institute)},
            expected_version=commitment.version,
        )


def test_owner_without_role_may_not_edit(commitment: Commitment) -> None:
    linked = user_with(person_of=commitment.owner)
    with pytest.raises(PermissionDenied):
        services.commitment_transition(
            commitment=commitment, to=CommitmentStatus.AT_RISK, actor=linked
        )


def test_milestone_owner_may_complete_own_milestone(commitment: Commitment) -> None:
    colleague = PersonFactory(institute=commitment.lead_institute)
    milestone = MilestoneFactory(commitment=commitment, owner=colleague)
    actor = user_with(Role.COMMITMENT_OWNER, person_of=colleague)
    services.milestone_complete(milestone=milestone, actor=actor, done_on=DONE_ON)
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.DONE
    with pytest.raises(PermissionDenied):
        services.commitment_transition(
            commitment=commitment, to=CommitmentStatus.AT_RISK, actor=actor
        )


def test_policy_officer_may_post_update_but_not_transition(commitment: Commitment) -> None:
    officer = user_with(Role.POLICY_OFFICER)
    update = services.progress_update_post(commitment=commitment, actor=officer, note="Met.")
    assert update.author == officer.person
    with pytest.raises(PermissionDenied):
        services.commitment_transition(
            commitment=commitment, to=CommitmentStatus.AT_RISK, actor=officer
        )
    with pytest.raises(PermissionDenied):
        services.progress_update_post(
            commitment=commitment, actor=officer, note="Slipping.", status="at_risk"
        )
    with pytest.raises(PermissionDenied):
        services.commitment_update(
            commitment=commitment,
            actor=officer,
            changes={"title": "x"},
            expected_version=commitment.version,
        )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.ON_TRACK
    assert ProgressUpdate.objects.count() == 1


def test_analyst_may_do_nothing(commitment: Commitment) -> None:
    analyst = user_with(Role.REPORTING_ANALYST)
    milestone = MilestoneFactory(commitment=commitment)
    attempts = [
        lambda: services.progress_update_post(commitment=commitment, actor=analyst, note="Hi."),
        lambda: services.commitment_transition(
            commitment=commitment, to=CommitmentStatus.AT_RISK, actor=analyst
        ),
        lambda: services.commitment_update(
            commitment=commitment,
            actor=analyst,
            changes={"title": "x"},
            expected_version=commitment.version,
        ),
        lambda: services.milestone_complete(milestone=milestone, actor=analyst, done_on=DONE_ON),
        lambda: services.milestone_reschedule(
            milestone=milestone, due_on=dt.date(2027, 5, 1), actor=analyst
        ),
        lambda: services.agreement_transition(
            agreement=commitment.agreement, to=AgreementStatus.UNDER_REVIEW, actor=analyst
        ),
        lambda: services.agreement_create(
            actor=analyst, title="x", code="x", parties=[InstituteFactory(), InstituteFactory()]
        ),
        lambda: services.clause_create(
            agreement=commitment.agreement, number="99", title="x", actor=analyst
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert not ProgressUpdate.objects.exists()
    assert not Agreement.objects.filter(code="x").exists()


def test_anonymous_user_may_do_nothing(commitment: Commitment) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.commitment_transition(
            commitment=commitment, to=CommitmentStatus.AT_RISK, actor=AnonymousUser()
        )


def test_administrator_may_do_everything(commitment: Commitment) -> None:
    admin = user_with(Role.ADMINISTRATOR)
    milestone = MilestoneFactory(commitment=commitment)
    services.commitment_update(
        commitment=commitment,
        actor=admin,
        changes={"owner": PersonFactory(institute=commitment.lead_institute), "title": "New"},
        expected_version=commitment.version,
    )
    services.commitment_transition(commitment=commitment, to=CommitmentStatus.AT_RISK, actor=admin)
    services.progress_update_post(commitment=commitment, actor=admin, note="Checked.")
    services.milestone_complete(milestone=milestone, actor=admin, done_on=DONE_ON)
    services.agreement_transition(
        agreement=commitment.agreement, to=AgreementStatus.UNDER_REVIEW, actor=admin
    )
    services.clause_create(agreement=commitment.agreement, number="99", title="New", actor=admin)
    commitment.refresh_from_db()
    assert (commitment.title, commitment.status) == ("New", CommitmentStatus.AT_RISK)


def test_superuser_counts_as_administrator(commitment: Commitment) -> None:
    superuser = UserFactory(is_superuser=True, is_staff=True)
    services.commitment_transition(
        commitment=commitment, to=CommitmentStatus.AT_RISK, actor=superuser
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.AT_RISK


# --- Agreements: participants and self-reference ------------------------------------------


def test_agreement_create_repeated_participant_recorded_once() -> None:
    a, b = InstituteFactory(), InstituteFactory()
    agreement = services.agreement_create(
        actor=SYSTEM, title="Twice named", code="twice", parties=[a, b, a]
    )
    assert sorted(agreement.parties.values_list("pk", flat=True)) == sorted([a.pk, b.pk])


def test_party_add_existing_participant_refused() -> None:
    agreement = AgreementFactory()
    existing = agreement.parties.first()
    with pytest.raises(DomainError) as caught:
        services.party_add(agreement=agreement, institute=existing, actor=SYSTEM)
    assert "institute" in caught.value.errors


def test_agreement_cannot_build_on_itself() -> None:
    agreement = AgreementFactory()
    with pytest.raises(DomainError) as caught:
        services.agreement_update(
            agreement=agreement,
            actor=SYSTEM,
            changes={"builds_on": agreement},
            expected_version=agreement.version,
        )
    assert "builds_on" in caught.value.errors


def test_signatory_must_sign_for_a_party_of_the_agreement() -> None:
    agreement, other = AgreementFactory(), AgreementFactory()
    with pytest.raises(DomainError) as caught:
        services.signatory_add(
            agreement=agreement,
            party=other.party_links.first(),
            name="A Minister",
            office="Minister",
            actor=SYSTEM,
        )
    assert "party" in caught.value.errors


def test_clause_blank_number_refused_by_service() -> None:
    with pytest.raises(DomainError) as caught:
        services.clause_create(agreement=AgreementFactory(), number="  ", title="x", actor=SYSTEM)
    assert "number" in caught.value.errors


def test_progress_update_post_judges_status_by_saved_row() -> None:
    commitment = CommitmentFactory(status=CommitmentStatus.ON_TRACK)
    stale_copy = Commitment.objects.get(pk=commitment.pk)
    services.commitment_transition(commitment=commitment, to=CommitmentStatus.AT_RISK, actor=SYSTEM)
    # The poster's page still said "On track"; they choose "At risk", which it already is.
    update = services.progress_update_post(
        commitment=stale_copy,
        actor=SYSTEM,
        author=commitment.owner,
        note="Venue lost.",
        status=CommitmentStatus.AT_RISK,
    )
    assert update.status_set == CommitmentStatus.AT_RISK
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == (CommitmentStatus.AT_RISK, 2)
