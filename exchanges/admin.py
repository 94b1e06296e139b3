"""Admin for secondments and exchange quotas. Every save goes through the services; the
status and the approvals change only through admin actions that call them, so the
transition table and the two-sided approval apply here as on the pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import AttributedAdmin
from core.errors import DomainError
from exchanges import services
from exchanges.choices import SECONDMENT_PLAN_EDITABLE_IN, Side
from exchanges.models import ExchangeQuota, Secondment, SecondmentCommitment

LIFECYCLE_FIELDS = [
    "status", "home_approved_by", "home_approved_at", "host_approved_by", "host_approved_at",
    "actual_start_on", "actual_end_on", "cancellation_reason", "version", "created_at",
    "updated_at",
]  # fmt: skip


class SecondmentAdminForm(forms.ModelForm):
    class Meta:
        model = Secondment
        fields = [
            "agreement", "person", "home_institute", "host_institute", "role",
            "planned_start_on", "planned_end_on", "vetting_required_home",
            "vetting_required_host", "vetting_held", "vetting_granted_on", "vetting_expires_on",
            "undertaking_signed_on", "access_granted_on", "access_expires_on", "notes",
            "is_illustrative",
        ]  # fmt: skip

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        instance = self.instance
        if instance.pk and instance.status not in SECONDMENT_PLAN_EDITABLE_IN:
            for name in set(self.changed_data) & services.PLAN_FIELDS:
                self.add_error(
                    name, "Both sides have approved this secondment: cancel and propose again."
                )
        try:
            services.check_secondment(instance, None)
        except DomainError as error:
            for field, message in error.errors.items():
                self.add_error(field if field in self.fields else None, message)


class CommitmentLinkFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        agreement_id = self.instance.agreement_id
        for form in self.forms:
            commitment = form.cleaned_data.get("commitment")
            linked = commitment and not form.cleaned_data.get("DELETE")
            if linked and commitment.agreement_id != agreement_id:
                form.add_error(
                    "commitment", "Link only commitments of this secondment's agreement."
                )


class CommitmentLinkInline(admin.TabularInline):
    model = SecondmentCommitment
    formset = CommitmentLinkFormSet
    autocomplete_fields = ["commitment"]
    extra = 0
    verbose_name = "commitment it delivers"
    verbose_name_plural = "commitments it delivers"


@admin.register(Secondment)
class SecondmentAdmin(AttributedAdmin):
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
    inlines = [CommitmentLinkInline]
    actions = ["approve_home", "approve_host", "activate_today", "complete_today"]

    def save_model(self, request: HttpRequest, obj: Secondment, form: Any, change: bool) -> None:
        fields = {
            name: form.cleaned_data[name]
            for name in services.PLAN_FIELDS | services.DETAIL_FIELDS
            if name in form.cleaned_data
        }
        if change:
            saved = services.secondment_update(
                secondment=obj,
                actor=request.user,
                changes={k: v for k, v in fields.items() if k in form.changed_data},
                expected_version=obj.version,
            )
        else:
            saved = services.secondment_create(actor=request.user, **fields)
        obj.pk, obj.version, obj.updated_at = saved.pk, saved.version, saved.updated_at

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
class ExchangeQuotaAdmin(AttributedAdmin):
    list_display = [
        "agreement", "home_country", "host_country", "planned_exchanges_per_year",
        "planned_staff_days_per_year", "is_illustrative",
    ]  # fmt: skip
    list_filter = ["agreement", "is_illustrative"]
    search_fields = ["agreement__code", "agreement__title"]
    readonly_fields = ["version", "created_at", "updated_at"]
