"""Rules across rows and dates that a secondment's own constraints cannot hold. Pure
checks: they read, return or raise ``DomainError`` by field, and write nothing. Used by the
services, the pages (what is still needed before starting) and the admin's forms."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from core.errors import DomainError
from core.services import check_year
from exchanges.choices import SecondmentStatus, VettingLevel
from exchanges.models import Secondment
from mou.models import Commitment, Party

DATE_FIELDS = {
    "planned_start_on", "planned_end_on", "vetting_granted_on", "vetting_expires_on",
    "undertaking_signed_on", "access_granted_on", "access_expires_on",
}  # fmt: skip


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def overlap_error(secondment: Secondment) -> DomainError | None:
    """A clear error naming the dates when the person is already seconded at that time."""
    if secondment.status == SecondmentStatus.CANCELLED or not secondment.person_id:
        return None
    clash = (
        Secondment.objects.holding_dates()
        .filter(person_id=secondment.person_id)
        .exclude(pk=secondment.pk)
        .overlapping(start=secondment.start_on, end=secondment.end_on)
        .select_related("host_institute", "person")
        .order_by("occupied_start")
        .first()
    )
    if clash is None:
        return None
    return DomainError(
        {
            "planned_start_on": (
                f"{clash.person} is already on a secondment to {clash.host_institute} from "
                f"{_day(clash.start_on)} to {_day(clash.end_on)}, which overlaps "
                f"{_day(secondment.start_on)} to {_day(secondment.end_on)}."
            )
        }
    )


def check_secondment(secondment: Secondment, commitments: Iterable[Commitment] | None) -> None:
    """The rules a single row's constraints cannot hold; raise DomainError by field."""
    errors: dict[str, str] = {}
    party_ids = set(
        Party.objects.filter(agreement_id=secondment.agreement_id).values_list(
            "institute_id", flat=True
        )
    )
    if secondment.home_institute_id and secondment.home_institute_id not in party_ids:
        errors["home_institute"] = "The home institute must be a party to the agreement."
    if secondment.host_institute_id and secondment.host_institute_id not in party_ids:
        errors["host_institute"] = "The host institute must be a party to the agreement."
    if (
        secondment.home_institute_id
        and secondment.home_institute_id == secondment.host_institute_id
    ):
        errors["host_institute"] = "The host institute must differ from the home institute."
    if (
        secondment.person_id
        and secondment.home_institute_id
        and secondment.person.institute_id != secondment.home_institute_id
    ):
        errors["person"] = (
            f"{secondment.person} works at {secondment.person.institute}, "
            "so that must be the home institute."
        )
    if (
        secondment.planned_start_on
        and secondment.planned_end_on
        and secondment.planned_end_on < secondment.planned_start_on
    ):
        errors["planned_end_on"] = "The planned end cannot be before the planned start."
    for name in sorted(DATE_FIELDS):
        value = getattr(secondment, name)
        problem = check_year(value, "This date") if value else None
        if problem:
            errors[name] = problem
    for commitment in commitments or ():
        if commitment.agreement_id != secondment.agreement_id:
            errors["commitments"] = (
                f"Commitment {commitment.reference} belongs to another agreement: "
                "link only commitments of this secondment's agreement."
            )
            break
    if errors:
        raise DomainError(errors)
    clash = overlap_error(secondment)
    if clash is not None:
        raise clash


def activation_problems(secondment: Secondment, *, end_on: date | None = None) -> dict[str, str]:
    """What stops the secondee from starting, by field; empty when ready.

    Each item must be recorded and must not expire before the secondment ends.
    """
    end = end_on or secondment.end_on
    problems: dict[str, str] = {}
    required = secondment.vetting_required
    if required > VettingLevel.NONE:
        label = VettingLevel(required).label.lower()
        if secondment.vetting_held < required:
            problems["vetting_held"] = (
                f"The secondee needs {label} (the level both sides require) before starting."
            )
        elif secondment.vetting_granted_on is None:
            problems["vetting_granted_on"] = "Record when the secondee's vetting was granted."
        elif secondment.vetting_expires_on is None:
            problems["vetting_expires_on"] = "Record when the secondee's vetting expires."
        elif secondment.vetting_expires_on < end:
            problems["vetting_expires_on"] = (
                f"The secondee's vetting expires on {_day(secondment.vetting_expires_on)}, "
                f"before the secondment ends on {_day(end)}."
            )
    if secondment.undertaking_signed_on is None:
        problems["undertaking_signed_on"] = (
            "Record when the secondee signed the confidentiality and IP undertaking."
        )
    if secondment.access_granted_on is None:
        problems["access_granted_on"] = "Record when the host side granted access."
    elif secondment.access_expires_on is not None and secondment.access_expires_on < end:
        problems["access_expires_on"] = (
            f"Host-side access expires on {_day(secondment.access_expires_on)}, "
            f"before the secondment ends on {_day(end)}."
        )
    return problems
