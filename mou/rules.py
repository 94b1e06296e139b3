"""Rules across rows and dates that a single row's constraints cannot hold. Pure checks:
they read, raise ``DomainError`` by field, and write nothing. Used by the services, the
admin's forms and the importers, so each rule is written once."""

from __future__ import annotations

from datetime import date

from core.errors import DomainError
from core.services import EARLIEST_YEAR, LATEST_YEAR, check_year
from mou.models import Agreement, Commitment, Party


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def agreement_life(agreement: Agreement) -> tuple[date | None, date | None]:
    """From when to when the agreement's dates may fall: signed (or in effect) to expiry."""
    return agreement.signed_on or agreement.effective_on, agreement.expires_on


def _within_life(agreement: Agreement, name: str, value: date | None, label: str) -> str | None:
    if value is None:
        return None
    problem = check_year(value, label)
    if problem:
        return problem
    start, end = agreement_life(agreement)
    if start is not None and value < start:
        return f"{label} cannot be before the agreement was signed on {_day(start)}."
    if end is not None and value > end:
        return f"{label} cannot be after the agreement expires on {_day(end)}."
    return None


def check_agreement_dates(agreement: Agreement) -> None:
    """Each of the agreement's dates in the years 2000–2100."""
    errors = {}
    for name in ("signed_on", "effective_on", "review_on", "expires_on"):
        value = getattr(agreement, name)
        label = str(getattr(Agreement._meta.get_field(name), "verbose_name", name)).capitalize()
        problem = check_year(value, label) if value else None
        if problem:
            errors[name] = problem
    if errors:
        raise DomainError(errors)


def check_commitment_dates(commitment: Commitment) -> None:
    """Start and target fall within the agreement's life (and years 2000–2100)."""
    errors = {}
    for name, label in (("start_on", "The start date"), ("target_on", "The target date")):
        problem = _within_life(commitment.agreement, name, getattr(commitment, name), label)
        if problem:
            errors[name] = problem
    if errors:
        raise DomainError(errors)


def check_milestone_date(agreement: Agreement, due_on: date, *, field: str = "due_on") -> None:
    problem = _within_life(agreement, field, due_on, "The due date")
    if problem:
        raise DomainError({field: problem})


def validate_commitment_parties(commitment: Commitment) -> None:
    """The clause, the institutes and the owner belong to the commitment's agreement."""
    errors = {}
    party_ids = set(
        Party.objects.filter(agreement_id=commitment.agreement_id).values_list(
            "institute_id", flat=True
        )
    )
    if commitment.clause_id and commitment.clause.agreement_id != commitment.agreement_id:
        errors["clause"] = "The clause must belong to the commitment's agreement."
    if commitment.owed_by_id and commitment.owed_by_id not in party_ids:
        errors["owed_by"] = "The institute that owes a commitment must be a party to the agreement."
    if commitment.lead_institute_id and commitment.lead_institute_id not in party_ids:
        errors["lead_institute"] = "The lead institute must be a party to the agreement."
    if commitment.owner_id and commitment.owner.institute_id not in party_ids:
        errors["owner"] = "The owner must work at a party to the agreement."
    if errors:
        raise DomainError(errors)


__all__ = [
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "agreement_life",
    "check_agreement_dates",
    "check_commitment_dates",
    "check_milestone_date",
    "validate_commitment_parties",
]
