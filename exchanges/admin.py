"""Admin for secondments and exchange quotas. Every save goes through the services; the
status and the approvals change only through admin actions that call them, so the
transition table and the two-sided approval apply here as on the pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import ServiceAdmin, VersionedModelForm
from exchanges import services
from exchanges.choices import Side
from exchanges.models import ExchangeQuota, Secondment
from mou.models import Commitment

LIFECYCLE_FIELDS = [
    "status", "home_approved_by", "home_approved_at", "host_approved_by", "host_approved_at",
    "home_approval_cleared_at", "host_approval_cleared_at", "approval_cleared_because",
    "actual_start_on", "actual_end_on", "cancellation_reason", "version", "created_at",
    "updated_at",
]  # fmt: skip


class SecondmentAdminForm(VersionedModelForm):
    commitments = forms.ModelMultipleChoiceField(
        queryset=Commitment.objects.select_related("agreement").order_by(
            "agreement__code", "reference"
        ),
        required=False,
        label="Commitments it delivers",
        help_text="Only commitments of the secondment's agreement.",
    )

    class Meta:
        model = Secondment
        fields = [
            "agreement", "person", "home_institute", "host_institute", "role",
            "planned_start_on", "planned_end_on", "vetting_required_home",
            "vetting_required_host", "vetting_held", "vetting_granted_on", "vetting_expires_on",
            "undertaking_signed_on", "access_granted_on", "access_expires_on", "notes",
            "is_illustrative",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "commitments" in self.fields:
            self.fields["commitments"].initial = list(
                self.instance.commitments.values_list("pk", flat=True)
            )


@admin.register(Secondment)
class SecondmentAdmin(ServiceAdmin):
    """Every save through the services, with the same per-side rights as the pages (an
    administrator acts for both sides); the status and approvals change only through the
    actions, which call the lifecycle services."""

    form = SecondmentAdminForm
    list_display = [
        "person", "home_institute", "host_institute", "agreement", "planned_start_on",
        "planned_end_on", "status", "is_illustrative",
    ]  # fmt: skip
    list_filter = ["status", "agreement", "home_institute", "host_institute", "is_illustrative"]
    search_fields = ["person__name", "role", "notes", "agreement__code"]
    list_select_related = ["person", "home_institute", "host_institute", "agreement"]
    autocomplete_fields = ["person"]
    date_hierarchy = "planned_start_on"
    readonly_fields = LIFECYCLE_FIELDS
    actions = ["approve_home", "approve_host", "activate_today", "complete_today"]

    def service_write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        fields = {
            name: form.cleaned_data[name]
            for name in services.PLAN_FIELDS | services.DETAIL_FIELDS
            if name in form.cleaned_data
        }
        commitments = form.cleaned_data.get("commitments")
        if change:
            return services.secondment_update(
                secondment=obj,
                actor=request.user,
                changes={k: v for k, v in fields.items() if k in form.changed_data},
                expected_version=self.version(form),
                commitments=list(commitments) if "commitments" in form.changed_data else None,
            )
        return services.secondment_create(
            actor=request.user, commitments=list(commitments or []), **fields
        )

    def _run(self, request: HttpRequest, queryset: QuerySet, call: Any, done: str) -> None:
        for secondment in queryset:
            self.run_service(
                request, lambda s=secondment: call(secondment=s), f"{secondment}: {done}"
            )

    @admin.action(description="Approve for the home side")
    def approve_home(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            lambda secondment: services.secondment_approve(
                secondment=secondment, actor=request.user, side=Side.HOME
            ),
            "home approval recorded.",
        )

    @admin.action(description="Approve for the host side")
    def approve_host(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            lambda secondment: services.secondment_approve(
                secondment=secondment, actor=request.user, side=Side.HOST
            ),
            "host approval recorded.",
        )

    @admin.action(description="Mark as started today")
    def activate_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            lambda secondment: services.secondment_activate(
                secondment=secondment, actor=request.user
            ),
            "started.",
        )

    @admin.action(description="Mark as completed today")
    def complete_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            lambda secondment: services.secondment_complete(
                secondment=secondment, actor=request.user
            ),
            "completed.",
        )


@admin.register(ExchangeQuota)
class ExchangeQuotaAdmin(ServiceAdmin):
    list_display = [
        "agreement", "home_country", "host_country", "planned_exchanges_per_year",
        "planned_staff_days_per_year", "is_illustrative",
    ]  # fmt: skip
    list_filter = ["agreement", "is_illustrative"]
    search_fields = ["agreement__code", "agreement__title"]
    readonly_fields = ["version", "created_at", "updated_at"]

    fixed_after_create = ("agreement", "home_country", "host_country")

    def service_write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        data = form.cleaned_data
        return services.quota_set(
            actor=request.user,
            agreement=obj.agreement if change else data["agreement"],
            home_country=obj.home_country if change else data["home_country"],
            host_country=obj.host_country if change else data["host_country"],
            planned_exchanges_per_year=data.get("planned_exchanges_per_year"),
            planned_staff_days_per_year=data.get("planned_staff_days_per_year"),
            is_illustrative=data.get("is_illustrative", False),
            notes=data.get("notes", ""),
            expected_version=self.version(form) if change else None,
        )
