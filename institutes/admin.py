"""Admin for institutes and people: every write through institutes.services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import LinkedListInline, ServiceAdmin
from institutes import services
from institutes.models import Institute, Person


class PersonInline(LinkedListInline):
    model = Person
    fields = ["name", "email", "job_title", "time_zone", "is_contact", "email_reminders"]


@admin.register(Institute)
class InstituteAdmin(ServiceAdmin):
    list_display = ["name", "short_name", "country", "parent_department", "time_zone"]
    list_filter = ["country"]
    search_fields = ["name", "short_name", "parent_department"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [PersonInline]

    def service_write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        if change:
            return services.institute_update(
                institute=obj,
                actor=request.user,
                changes=self.changes(form, services.INSTITUTE_EDITABLE),
                expected_version=self.version(form),
            )
        data = form.cleaned_data
        return services.institute_create(
            actor=request.user,
            **{name: data[name] for name in services.INSTITUTE_EDITABLE if name in data},
        )


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    list_display = ["name", "institute", "email", "job_title", "time_zone", "user", "is_contact"]
    list_filter = ["institute", "is_contact", "email_reminders", "is_illustrative"]
    search_fields = ["name", "email", "job_title", "user__username"]
    autocomplete_fields = ["manager", "user"]
    list_select_related = ["institute", "user"]
    readonly_fields = ["version", "created_at", "updated_at"]

    def service_write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        if change:
            return services.person_update(
                person=obj,
                actor=request.user,
                changes=self.changes(form, services.PERSON_EDITABLE),
                expected_version=self.version(form),
            )
        data = form.cleaned_data
        rest = services.PERSON_EDITABLE - {"institute", "name", "email", "time_zone"}
        return services.person_create(
            actor=request.user,
            institute=data["institute"],
            name=data["name"],
            email=data["email"],
            time_zone=data.get("time_zone") or "",
            **{name: data[name] for name in rest if name in data},
        )
