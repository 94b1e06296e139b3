"""Form helpers shared by every app's pages."""

from __future__ import annotations

from django import forms

from core.errors import DomainError


def add_domain_errors(form: forms.Form, error: DomainError) -> None:
    """Show a service's DomainError next to the fields it names (else at the top)."""
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)
