"""What the secondment list shows on screen and what its CSV/XLSX downloads hold (the same
columns, then more)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from exchanges.choices import VettingLevel
from exchanges.models import Secondment

Column = tuple[str, Callable[[Secondment], Any]]


def _approval(secondment: Secondment, side: str) -> Any:
    return getattr(secondment, f"{side}_approved_at")


def _vetting(value: int) -> str:
    return str(VettingLevel(value).label)


SCREEN_COLUMNS: list[Column] = [
    ("Secondee", lambda s: s.person.name),
    ("Direction", lambda s: s.direction),
    ("Home", lambda s: s.home_institute.short_name),
    ("Host", lambda s: s.host_institute.short_name),
    ("Agreement", lambda s: s.agreement.code),
    ("Role or project", lambda s: s.role),
    ("Start", lambda s: s.start_on),
    ("End", lambda s: s.end_on),
    ("Status", lambda s: s.get_status_display()),
]

EXPORT_COLUMNS: list[Column] = [
    ("ID", lambda s: s.pk),
    *SCREEN_COLUMNS,
    ("Planned start", lambda s: s.planned_start_on),
    ("Planned end", lambda s: s.planned_end_on),
    ("Actual start", lambda s: s.actual_start_on),
    ("Actual end", lambda s: s.actual_end_on),
    ("Days", lambda s: s.days),
    ("Home approval at", lambda s: _approval(s, "home")),
    ("Host approval at", lambda s: _approval(s, "host")),
    ("Commitments", lambda s: "; ".join(c.reference for c in s.commitments.all())),
    ("Vetting required (home)", lambda s: _vetting(s.vetting_required_home)),
    ("Vetting required (host)", lambda s: _vetting(s.vetting_required_host)),
    ("Vetting held", lambda s: _vetting(s.vetting_held)),
    ("Vetting expires", lambda s: s.vetting_expires_on),
    ("Undertaking signed", lambda s: s.undertaking_signed_on),
    ("Access granted", lambda s: s.access_granted_on),
    ("Access expires", lambda s: s.access_expires_on),
    ("Cancellation reason", lambda s: s.cancellation_reason),
    ("Illustrative", lambda s: "yes" if s.is_illustrative else "no"),
    ("Notes", lambda s: s.notes),
]
