"""Synthetic data for the benchmarks, built set-based with ``bulk_create``.

Everything it makes is labelled as synthetic ("Bench agreement 17", "Bench person 3",
addresses at example.org) and lives only in the benchmark's own database. The shape
follows what Accord is built for: tens of agreements between UK and Australian
institutes, a few hundred people in Europe/London and Australia/Sydney, and hundreds of
thousands of milestones, most open, some late, some due soon, some done.

The database history triggers stay on, so every row also writes its history event, as it
would in production.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Model

from api_tokens.services import token_create
from exchanges.choices import SecondmentStatus
from exchanges.models import Secondment, SecondmentCommitment
from institutes.choices import Role
from institutes.models import Institute, Person
from mou.choices import AgreementStatus, CommitmentStatus, MilestoneStatus
from mou.models import Agreement, Clause, Commitment, Milestone, Party, ProgressUpdate

BATCH = 5_000
CLAUSES_PER_AGREEMENT = 10
MILESTONES_PER_COMMITMENT = 7
UPDATES_PER_COMMITMENT = 2
COMMITMENTS_PER_PERSON = 50
COMMITMENTS_PER_SECONDMENT = 40
PEOPLE_PER_MANAGER = 10
SYNTHETIC = "Synthetic benchmark data, not a real record."
THEMES = ("Research", "Evaluation", "Exchanges", "Standards", "Incident response")

# (status, share) of commitments; open statuses first. Completed commitments have every
# milestone done; withdrawn ones have every milestone cancelled.
COMMITMENT_MIX = (
    (CommitmentStatus.NOT_STARTED, 0.20),
    (CommitmentStatus.ON_TRACK, 0.45),
    (CommitmentStatus.AT_RISK, 0.15),
    (CommitmentStatus.OFF_TRACK, 0.08),
    (CommitmentStatus.COMPLETED, 0.08),
    (CommitmentStatus.WITHDRAWN, 0.04),
)
# Where an open milestone's due date falls, in days from today: (share, first, last).
OPEN_DUE_MIX = (
    (0.08, -120, -1),  # late
    (0.10, 0, 30),  # due soon
    (0.82, 31, 540),  # later
)
DONE_PER_OPEN_COMMITMENT = 1  # the first milestone of each open commitment is done


@dataclass(frozen=True)
class Size:
    name: str
    commitments: int
    agreements: int

    @property
    def people(self) -> int:
        return max(20, self.commitments // COMMITMENTS_PER_PERSON)

    @property
    def secondments(self) -> int:
        return max(4, self.commitments // COMMITMENTS_PER_SECONDMENT)


SIZES = {
    "tiny": Size("tiny", 200, 2),
    "small": Size("small", 2_000, 4),
    "large": Size("large", 20_000, 20),
    # 200,000 commitments, 1.4 million milestones: slow to generate on a small machine.
    "huge": Size("huge", 200_000, 100),
}


@dataclass
class Generated:
    """What the measurements need to know about the data just made."""

    size: Size
    today: date
    officer_username: str
    api_token: str
    agreement_code: str
    commitment_id: int
    institute_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _institutes() -> tuple[list[Institute], list[Institute]]:
    uk = [
        Institute(
            name=f"Bench UK institute {n}",
            short_name=f"BENCH-UK{n}",
            country="GB",
            parent_department="Bench department (synthetic)",
            time_zone="Europe/London",
            notes=SYNTHETIC,
        )
        for n in (1, 2)
    ]
    au = [
        Institute(
            name=f"Bench Australian institute {n}",
            short_name=f"BENCH-AU{n}",
            country="AU",
            parent_department="Bench department (synthetic)",
            time_zone="Australia/Sydney",
            notes=SYNTHETIC,
        )
        for n in (1, 2)
    ]
    Institute.objects.bulk_create(uk + au)
    return uk, au


def _people(size: Size, institutes: list[Institute]) -> list[Person]:
    """People spread over the institutes; every tenth is the manager of the next nine,
    and the first at each institute is its point of contact."""
    people: list[Person] = []
    for index in range(size.people):
        institute = institutes[index % len(institutes)]
        people.append(
            Person(
                institute=institute,
                name=f"Bench person {index + 1}",
                email=f"bench.person{index + 1}@example.org",
                job_title="Synthetic officer",
                time_zone=institute.time_zone,
                is_contact=index < len(institutes),
                is_illustrative=True,
            )
        )
    _insert(Person, people)
    by_institute: dict[int, list[Person]] = {}
    for person in people:
        by_institute.setdefault(person.institute_id, []).append(person)
    changed = []
    for members in by_institute.values():
        for position, person in enumerate(members):
            if position % PEOPLE_PER_MANAGER:
                person.manager = members[position - position % PEOPLE_PER_MANAGER]
                changed.append(person)
    Person.objects.bulk_update(changed, ["manager"], batch_size=BATCH)
    return people


def _users(people: list[Person], institutes: list[Institute]) -> tuple[str, str]:
    """A policy officer (who also owns commitments), a reporting analyst with an API token,
    and an exchange coordinator at each institute."""
    User = get_user_model()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in Role.values}
    officer_person = next(p for p in people if p.manager_id is not None)
    officer = User.objects.create_user(
        username="bench-officer", email=officer_person.email, first_name="Bench officer"
    )
    officer.groups.add(groups[Role.POLICY_OFFICER], groups[Role.COMMITMENT_OWNER])
    analyst = User.objects.create_user(username="bench-analyst", email="bench.analyst@example.org")
    analyst.groups.add(groups[Role.REPORTING_ANALYST])
    _token, key = token_create(user=analyst, actor=analyst, name="Bench")
    linked = [officer_person]
    officer_person.user = officer
    for institute in institutes:
        head = next(p for p in people if p.institute_id == institute.pk)
        coordinator = User.objects.create_user(
            username=f"bench-coordinator-{institute.pk}", email=head.email
        )
        coordinator.groups.add(groups[Role.EXCHANGE_COORDINATOR])
        head.user = coordinator
        linked.append(head)
    Person.objects.bulk_update(linked, ["user"])
    return officer.username, key


def _agreements(
    size: Size, uk: list[Institute], au: list[Institute], today: date
) -> list[tuple[Agreement, Institute, Institute]]:
    agreements = []
    pairs = []
    for index in range(size.agreements):
        signed = today - timedelta(days=200 + 30 * index)
        agreements.append(
            Agreement(
                title=f"Bench agreement {index + 1}",
                code=f"bench-{index + 1}",
                summary=SYNTHETIC,
                status=AgreementStatus.IN_FORCE,
                signed_on=signed,
                effective_on=signed,
                # Some reviews fall inside the reminder window, most later.
                review_on=today + timedelta(days=20 + 45 * index),
                expires_on=signed + timedelta(days=5 * 365),
                notes=SYNTHETIC,
            )
        )
        # Every institute takes part in some agreement from the second one on.
        pairs.append((uk[index % 2], au[(index + index // 2) % 2]))
    Agreement.objects.bulk_create(agreements)
    Party.objects.bulk_create(
        Party(agreement=agreement, institute=institute)
        for agreement, pair in zip(agreements, pairs, strict=True)
        for institute in pair
    )
    return [(a, gb, au_) for a, (gb, au_) in zip(agreements, pairs, strict=True)]


def _pick(rng: random.Random, mix: tuple) -> object:
    roll = rng.random()
    for value, share in mix:
        roll -= share
        if roll < 0:
            return value
    return mix[-1][0]


def _open_due(rng: random.Random, today: date) -> date:
    roll = rng.random()
    for share, first, last in OPEN_DUE_MIX:
        roll -= share
        if roll < 0:
            return today + timedelta(days=rng.randint(first, last))
    return today + timedelta(days=OPEN_DUE_MIX[-1][2])


def _insert(model: type[Model], rows: list[Model]) -> None:
    """``bulk_create`` in batches of ``BATCH``, each committed on its own: one transaction
    around everything grows slower than linearly with the history triggers on."""
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])


@contextmanager
def _stopwatch(seconds: dict[str, float], step: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    seconds[step] = round(time.perf_counter() - started, 2)


def generate(size: Size, *, now: datetime, seed: int = 17) -> Generated:
    """Fill an empty database with ``size`` worth of synthetic data as of ``now``."""
    # Reproducible synthetic data, not a secret: a seeded PRNG is what is wanted.
    rng = random.Random(seed)  # nosec B311
    seconds: dict[str, float] = {}
    today = now.astimezone(UTC).date()
    uk, au = _institutes()
    institutes = uk + au
    people = _people(size, institutes)
    officer_username, api_token = _users(people, institutes)
    people_at: dict[int, list[Person]] = {}
    for person in people:
        people_at.setdefault(person.institute_id, []).append(person)

    agreements = _agreements(size, uk, au, today)
    clauses = [
        Clause(
            agreement=agreement,
            number=str(n),
            title=f"Bench clause {n}",
            text=SYNTHETIC,
            position=n,
            is_illustrative=True,
        )
        for agreement, _, _ in agreements
        for n in range(1, CLAUSES_PER_AGREEMENT + 1)
    ]
    _insert(Clause, clauses)

    commitments: list[Commitment] = []
    per_agreement = size.commitments // size.agreements
    for a_index, (agreement, gb, au_) in enumerate(agreements):
        own_clauses = clauses[
            a_index * CLAUSES_PER_AGREEMENT : (a_index + 1) * CLAUSES_PER_AGREEMENT
        ]
        for c_index in range(per_agreement):
            number = len(commitments) + 1
            owed_by = (gb, au_, None)[c_index % 3]
            lead = owed_by or (gb, au_)[c_index % 2]
            owners = people_at[lead.pk]
            status = _pick(rng, COMMITMENT_MIX)
            start = today - timedelta(days=rng.randint(30, 400))
            commitments.append(
                Commitment(
                    agreement=agreement,
                    clause=own_clauses[c_index % CLAUSES_PER_AGREEMENT],
                    reference=f"B{a_index + 1}.{c_index + 1}",
                    title=f"Bench commitment {number}",
                    description=SYNTHETIC,
                    owed_by=owed_by,
                    lead_institute=lead,
                    owner=owners[c_index % len(owners)],
                    theme=THEMES[c_index % len(THEMES)],
                    start_on=start,
                    target_on=start + timedelta(days=rng.randint(180, 900)),
                    status=status,
                    status_reason="Withdrawn in synthetic data."
                    if status == CommitmentStatus.WITHDRAWN
                    else "",
                    is_illustrative=True,
                )
            )
    with _stopwatch(seconds, "insert commitments"):
        _insert(Commitment, commitments)

    milestones: list[Milestone] = []
    for commitment in commitments:
        for m_index in range(MILESTONES_PER_COMMITMENT):
            title = f"Bench milestone {commitment.reference}/{m_index + 1}"
            if commitment.status == CommitmentStatus.COMPLETED or (
                commitment.status != CommitmentStatus.WITHDRAWN
                and m_index < DONE_PER_OPEN_COMMITMENT
            ):
                due = today - timedelta(days=rng.randint(10, 400))
                done = min(today, due + timedelta(days=rng.randint(-5, 5)))
                status, done_on, reason = MilestoneStatus.DONE, done, ""
            elif commitment.status == CommitmentStatus.WITHDRAWN:
                due = today + timedelta(days=rng.randint(-200, 300))
                status, done_on = MilestoneStatus.CANCELLED, None
                reason = "Commitment withdrawn in synthetic data."
            else:
                due = _open_due(rng, today)
                status, done_on, reason = MilestoneStatus.OPEN, None, ""
            milestones.append(
                Milestone(
                    commitment=commitment,
                    title=title,
                    due_on=due,
                    owner=commitment.owner,
                    status=status,
                    done_on=done_on,
                    status_reason=reason,
                    evidence_url="https://example.org/bench/evidence" if done_on else "",
                    is_illustrative=True,
                )
            )
    with _stopwatch(seconds, "insert milestones"):
        _insert(Milestone, milestones)

    updates = [
        ProgressUpdate(
            commitment=commitment,
            author=commitment.owner,
            posted_at=now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1439)),
            note=f"Bench progress note {n + 1} on {commitment.reference} (synthetic).",
            status_set=commitment.status if n == 0 else "",
        )
        for commitment in commitments
        for n in range(UPDATES_PER_COMMITMENT)
    ]
    with _stopwatch(seconds, "insert updates"):
        _insert(ProgressUpdate, updates)

    with _stopwatch(seconds, "insert secondments"):
        secondments, links = _secondments(size, agreements, people, commitments, today, rng)

    return Generated(
        size=size,
        today=today,
        officer_username=officer_username,
        api_token=api_token,
        agreement_code=agreements[0][0].code,
        # A commitment with the most on its page: open, with milestones and updates.
        commitment_id=next(c.pk for c in commitments if c.status == CommitmentStatus.AT_RISK),
        institute_ids=[i.pk for i in institutes],
        counts={
            "institutes": len(institutes),
            "people": len(people),
            "agreements": len(agreements),
            "clauses": len(clauses),
            "commitments": len(commitments),
            "milestones": len(milestones),
            "open_milestones": sum(1 for m in milestones if m.status == MilestoneStatus.OPEN),
            "progress_updates": len(updates),
            "secondments": secondments,
            "secondment_links": links,
        },
        seconds=seconds,
    )


def _secondments(
    size: Size,
    agreements: list[tuple[Agreement, Institute, Institute]],
    people: list[Person],
    commitments: list[Commitment],
    today: date,
    rng: random.Random,
) -> tuple[int, int]:
    """Secondments in every state, one person at a time (each person's secondments fall in
    separate 120-day slots, so none overlap)."""
    secondees = [p for p in people if p.manager_id is not None]
    by_agreement: dict[int, list[Commitment]] = {}
    for commitment in commitments:
        by_agreement.setdefault(commitment.agreement_id, []).append(commitment)
    stamp = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    rows: list[Secondment] = []
    for index in range(size.secondments):
        person = secondees[index % len(secondees)]
        slot = index // len(secondees)
        choices = [a for a in agreements if person.institute_id in (a[1].pk, a[2].pk)]
        agreement, gb, au_ = choices[index % len(choices)]
        host = au_ if person.institute_id == gb.pk else gb
        start = today - timedelta(days=300) + timedelta(days=120 * slot + rng.randint(0, 20))
        end = start + timedelta(days=rng.randint(30, 90))
        row = Secondment(
            agreement=agreement,
            person=person,
            home_institute_id=person.institute_id,
            host_institute=host,
            role=f"Bench secondment {index + 1}",
            planned_start_on=start,
            planned_end_on=end,
            notes=SYNTHETIC,
            is_illustrative=True,
        )
        if index % 9 == 8:
            row.status = SecondmentStatus.CANCELLED
            row.cancellation_reason = "Cancelled in synthetic data."
        elif end < today:
            row.status = SecondmentStatus.COMPLETED
            row.actual_start_on, row.actual_end_on = start, end
        elif start <= today:
            row.status = SecondmentStatus.ACTIVE
            row.actual_start_on = start
        elif index % 2:
            row.status = SecondmentStatus.APPROVED
        if row.status != SecondmentStatus.PROPOSED and row.status != SecondmentStatus.CANCELLED:
            row.home_approved_at = row.host_approved_at = stamp - timedelta(days=400 - 120 * slot)
        rows.append(row)
    _insert(Secondment, rows)
    links = [
        SecondmentCommitment(
            secondment=row,
            commitment=by_agreement[row.agreement_id][index % len(by_agreement[row.agreement_id])],
        )
        for index, row in enumerate(rows)
    ]
    _insert(SecondmentCommitment, links)
    return len(rows), len(links)
