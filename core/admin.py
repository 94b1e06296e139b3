"""Admin plumbing: every admin write is attributed to the signed-in user, and model forms
run the same cross-record rules as the services before anything is saved."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from core.errors import DomainError
from core.history import acting


class AttributedAdmin(admin.ModelAdmin):
    """Wraps the admin's writes in ``acting(request.user)`` for the history context."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with acting(request.user):
            if change:
                obj.version += 1
            super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with acting(request.user):
            super().delete_model(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        with acting(request.user):
            super().save_related(request, form, formsets, change)

    def run_service(self, request: HttpRequest, call: Any, success: str) -> None:
        """Run a service from an admin action; show a DomainError as a message."""
        try:
            call()
        except DomainError as error:
            self.message_user(request, "; ".join(error.errors.values()), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
