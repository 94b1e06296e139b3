"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms

from core.errors import DomainError

# What the browser's own date and date-time boxes read and write, whatever the locale: a
# value in any other format (e.g. the en-GB "31/03/2027") leaves the box empty, and saving
# the form then erases the date.
ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """A browser date box (``<input type="date">``) showing the stored date as yyyy-mm-dd."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs, format or ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """A browser date-time box (``type="datetime-local"``) showing yyyy-mm-ddThh:mm."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs, format or ISO_DATETIME_LOCAL)


def add_domain_errors(form: forms.Form, error: DomainError) -> None:
    """Show a service's DomainError next to the fields it names (else at the top)."""
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)
