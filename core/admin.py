"""Admin plumbing: the admin is a thin shell over the services, or read-only.

``ServiceAdmin`` routes every add and change through the app's services (named by
``service_write``), with the version the form was opened at, so the admin obeys the same
rules, permissions and stale-save check as the pages and writes the same history. The
form runs the same service call in a savepoint that is always rolled back before it is
accepted, so that a refusal is shown next to the field it names and nothing is lost.
Nothing is deleted from the admin: a record is withdrawn, cancelled or terminated through
its lifecycle instead. ``ReadOnlyAdmin`` is for records nobody edits by hand (progress
updates, reminders, digests; history has its own read-only admin).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from core.errors import DomainError, StaleRecord


class _DryRun(Exception):
    """Raised inside the checking savepoint so that it always rolls back."""


class ServiceRefused(Exception):
    """A service refused the admin's write after the form had been accepted (a race)."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(str(error))
        self.error = error


class VersionedModelForm(forms.ModelForm):
    """An admin form that carries the version it was opened at."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # Set per request by ServiceAdmin.get_form: runs the service without keeping its write.
    service_check: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is not None and cleaned.get("expected_version") is None:
            raise forms.ValidationError(
                "This form does not say which version it was opened at: reload the page."
            )
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # ModelForm's hook after validation
        if self.errors or self.service_check is None:
            return
        try:
            with transaction.atomic():
                self.service_check(self)
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as error:
            for field, message in error.errors.items():
                self.add_error(field if field in self.fields else None, message)


class ServiceAdmin(admin.ModelAdmin):
    """Every write through ``service_write``; stale saves refused; nothing deleted."""

    form = VersionedModelForm
    # Fields chosen when the row is created and shown read-only on its change page (which
    # agreement a clause belongs to, say): their services take them at creation only.
    fixed_after_create: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, *self.fixed_after_create] if obj else readonly

    def service_write(
        self, request: HttpRequest, obj: Any, form: VersionedModelForm, change: bool
    ) -> models.Model:
        """Create (``change`` False) or change ``obj`` through the services; return the row."""
        raise NotImplementedError

    @staticmethod
    def changes(form: forms.ModelForm, allowed: set[str]) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in form.changed_data if name in allowed}

    @staticmethod
    def version(form: forms.ModelForm) -> int | None:
        return form.cleaned_data.get("expected_version")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        pk = getattr(obj, "pk", None)

        def check(bound: VersionedModelForm) -> None:
            # The form has already copied its values onto its instance: give the service a
            # fresh copy of the stored row, as a page would.
            current = type(bound.instance)._default_manager.get(pk=pk) if pk else None
            self.service_write(request, current or bound.instance, bound, pk is not None)

        form.service_check = staticmethod(check)  # type: ignore[attr-defined]
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        current = type(obj)._default_manager.get(pk=obj.pk) if change else obj
        try:
            saved = self.service_write(request, current, form, change)
        except DomainError as error:
            raise ServiceRefused(error) from error
        # Let the admin go on with the row the service saved (for its redirect and log).
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Related rows are written by the services; inlines here are read-only lists."""
        for formset in formsets:
            # The admin's change message reads these after saving; nothing was saved here.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            error = refused.error
            if isinstance(error, StaleRecord):
                self.message_user(request, error.errors["__all__"], messages.ERROR)
            else:
                self.message_user(
                    request,
                    "Nothing was saved: " + "; ".join(error.errors.values()),
                    messages.ERROR,
                )
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def run_service(self, request: HttpRequest, call: Any, success: str) -> None:
        """Run a service from an admin action; show a DomainError as a message."""
        try:
            call()
        except DomainError as error:
            self.message_user(request, "; ".join(error.errors.values()), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that are written only by their own processes and never edited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LinkedListInline(admin.TabularInline):
    """A read-only list of related rows, each linking to its own admin page."""

    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
