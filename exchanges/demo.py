"""Illustrative secondments under the UK–Australia AI security MoU, for the demo.

No public source names a secondee or gives a date of an exchange, so every secondment and
secondee here is illustrative (``is_illustrative=True``, named "Illustrative secondee N, UK
AISI"), dated relative to the loading day, in each state of the lifecycle and in both
directions. The MoU sets no planned number of exchanges, so no quota is loaded.

Idempotent: a secondment is found by its secondee and its role; a second run writes nothing.
Institutes or the agreement that are not there yet (they come from ``mou.demo``) are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from core.actors import LOAD_DEMO
from core.history import acting
from exchanges import services
from exchanges.choices import SecondmentStatus, Side
from exchanges.models import Secondment
from institutes.models import Institute, Person
from institutes.services import person_create
from mou.models import Agreement, Commitment

AGREEMENT_CODE = "uk-au-ai-2026"
STAFF_EXCHANGE_COMMITMENT = "6-a"


@dataclass(frozen=True)
class DemoSecondment:
    number: int
    home: str
    host: str
    role: str
    starts_in_days: int
    lasts_days: int
    status: str
    ready: bool = True


DEMO: list[DemoSecondment] = [
    DemoSecondment(
        1, "UK AISI", "AU AISI", "Illustrative: joint testing of AI systems", 45, 91,
        SecondmentStatus.PROPOSED,
    ),
    DemoSecondment(
        1, "AU AISI", "UK AISI", "Illustrative: measurement research placement", 14, 120,
        SecondmentStatus.APPROVED, ready=False,
    ),
    DemoSecondment(
        2, "UK AISI", "AU AISI", "Illustrative: evaluation methods exchange", -30, 90,
        SecondmentStatus.ACTIVE,
    ),
    DemoSecondment(
        2, "AU AISI", "UK AISI", "Illustrative: frontier AI monitoring placement", -200, 91,
        SecondmentStatus.COMPLETED,
    ),
    DemoSecondment(
        3, "UK AISI", "AU AISI", "Illustrative: cyber defence research placement", 120, 60,
        SecondmentStatus.CANCELLED,
    ),
]  # fmt: skip


def _secondee(number: int, institute: Institute) -> Person:
    email = f"secondee-{number}.{institute.short_name.lower().replace(' ', '-')}@example.invalid"
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        person = person_create(
            actor=LOAD_DEMO,
            institute=institute,
            name=f"Illustrative secondee {number}, {institute.short_name}",
            email=email,
            job_title="Illustrative secondee",
            is_illustrative=True,
        )
    return person


def _advance(secondment: Secondment, demo: DemoSecondment) -> None:
    """Move a freshly proposed secondment to the demo's state through the services."""
    if demo.status == SecondmentStatus.CANCELLED:
        services.secondment_cancel(
            secondment=secondment,
            actor=LOAD_DEMO,
            reason="Illustrative: postponed by the home institute.",
        )
        return
    if demo.status == SecondmentStatus.PROPOSED:
        return
    # Approved a fortnight before the planned start (or now, if that is still to come).
    approved_at = min(
        timezone.now(),
        datetime.combine(secondment.planned_start_on - timedelta(days=14), time(9), tzinfo=UTC),
    )
    for side in (Side.HOME, Side.HOST):
        services.secondment_approve(
            secondment=secondment, actor=LOAD_DEMO, side=side, approved_at=approved_at
        )
    if demo.status == SecondmentStatus.APPROVED:
        return
    services.secondment_activate(
        secondment=secondment, actor=LOAD_DEMO, on=secondment.planned_start_on
    )
    if demo.status == SecondmentStatus.COMPLETED:
        services.secondment_complete(
            secondment=secondment, actor=LOAD_DEMO, on=secondment.planned_end_on
        )


def load() -> None:
    """Load the illustrative secondments (idempotent; skips what mou.demo has not made)."""
    agreement = Agreement.objects.filter(code=AGREEMENT_CODE).first()
    if agreement is None:
        return
    institutes = {
        i.short_name: i for i in Institute.objects.filter(short_name__in=["UK AISI", "AU AISI"])
    }
    commitment = Commitment.objects.filter(
        agreement=agreement, reference=STAFF_EXCHANGE_COMMITMENT
    ).first()
    today = timezone.localdate()
    with acting(LOAD_DEMO):
        for demo in DEMO:
            home, host = institutes.get(demo.home), institutes.get(demo.host)
            if home is None or host is None:
                continue
            person = _secondee(demo.number, home)
            if Secondment.objects.filter(person=person, role=demo.role).exists():
                continue
            start = today + timedelta(days=demo.starts_in_days)
            readiness = {
                "undertaking_signed_on": start - timedelta(days=20),
                # Left missing on one approved secondment so that the page shows what is
                # still needed before the secondee can start.
                "access_granted_on": (start - timedelta(days=7)) if demo.ready else None,
            }
            secondment = services.secondment_create(
                actor=LOAD_DEMO,
                agreement=agreement,
                person=person,
                home_institute=home,
                host_institute=host,
                role=demo.role,
                planned_start_on=start,
                planned_end_on=start + timedelta(days=demo.lasts_days - 1),
                commitments=[commitment] if commitment else [],
                is_illustrative=True,
                notes="Illustrative: not a real secondment; shown for demonstration only.",
                **readiness,
            )
            _advance(secondment, demo)
