"""Admin for the register: administrators' repairs, every write through the services.

Statuses change only through admin actions that call the lifecycle services. Related rows
(participants, signatories, clauses, commitments, milestones) are listed read-only on
their parent's page, each linking to its own page, where it is saved through its service.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import LinkedListInline, ReadOnlyAdmin, ServiceAdmin, VersionedModelForm
from institutes.models import Institute
from mou import services
from mou.choices import AgreementStatus, CommitmentStatus
from mou.models import Agreement, Clause, Commitment, Milestone, Party, ProgressUpdate, Signatory


class PartyInline(LinkedListInline):
    model = Party
    fields = ["institute", "lead_department"]


class SignatoryInline(LinkedListInline):
    model = Signatory
    fields = ["party", "name", "office"]


class ClauseInline(LinkedListInline):
    model = Clause
    fields = ["number", "title", "position", "is_illustrative"]


class CommitmentInline(LinkedListInline):
    model = Commitment
    fields = ["reference", "title", "clause", "owed_by", "lead_institute", "owner", "status"]


class MilestoneInline(LinkedListInline):
    model = Milestone
    fields = ["title", "due_on", "owner", "status", "done_on"]


class AgreementAdminForm(VersionedModelForm):
    participants = forms.ModelMultipleChoiceField(
        queryset=Institute.objects.order_by("name"),
        required=False,
        help_text="Two or more institutes. Add more later from the participant pages.",
    )

    class Meta:
        model = Agreement
        exclude = ["status", "status_reason", "version"]


@admin.register(Agreement)
class AgreementAdmin(ServiceAdmin):
    form = AgreementAdminForm
    list_display = ["title", "code", "status", "signed_on", "builds_on"]
    list_filter = ["status", "legally_binding"]
    search_fields = ["title", "code", "summary"]
    readonly_fields = ["status", "status_reason", "version", "created_at", "updated_at"]
    inlines = [PartyInline, SignatoryInline, ClauseInline, CommitmentInline]
    actions = ["mark_in_force", "mark_under_review"]

    fixed_after_create = ("code",)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form.base_fields.pop("participants", None)
        return form

    def service_write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        if change:
            return services.agreement_update(
                agreement=obj,
                actor=request.user,
                changes=self.changes(form, services.AGREEMENT_EDITABLE),
                expected_version=self.version(form),
            )
        data = form.cleaned_data
        return services.agreement_create(
            actor=request.user,
            title=data["title"],
            code=data["code"],
            parties=list(data.get("participants") or []),
            **{
                name: data[name] for name in services.AGREEMENT_EDITABLE - {"title"} if name in data
            },
        )

    @admin.action(description="Mark as in force")
    def mark_in_force(self, request: HttpRequest, queryset: QuerySet[Agreement]) -> None:
        for agreement in queryset:
            self.run_service(
                request,
                lambda a=agreement: services.agreement_transition(
                    agreement=a, to=AgreementStatus.IN_FORCE, actor=request.user
                ),
                f"{agreement.code} is in force.",
            )

    @admin.action(description="Mark as under review")
    def mark_under_review(self, request: HttpRequest, queryset: QuerySet[Agreement]) -> None:
        for agreement in queryset:
            self.run_service(
                request,
                lambda a=agreement: services.agreement_transition(
                    agreement=a, to=AgreementStatus.UNDER_REVIEW, actor=request.user
                ),
                f"{agreement.code} is under review.",
            )


@admin.register(Party)
class PartyAdmin(ServiceAdmin):
    list_display = ["institute", "agreement", "lead_department"]
    list_filter = ["agreement"]
    search_fields = ["institute__name", "agreement__title", "lead_department"]
    list_select_related = ["institute", "agreement"]
    readonly_fields = ["version", "created_at", "updated_at"]

    fixed_after_create = ("agreement", "institute")

    def service_write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        data = form.cleaned_data
        if change:
            return services.party_update(
                party=obj,
                actor=request.user,
                lead_department=data["lead_department"],
                expected_version=self.version(form),
            )
        return services.party_add(
            agreement=data["agreement"],
            institute=data["institute"],
            actor=request.user,
            lead_department=data["lead_department"],
        )


@admin.register(Signatory)
class SignatoryAdmin(ServiceAdmin):
    list_display = ["name", "office", "party", "agreement"]
    list_filter = ["agreement"]
    search_fields = ["name", "office"]
    list_select_related = ["agreement", "party__institute"]
    readonly_fields = ["version", "created_at", "updated_at"]

    fixed_after_create = ("agreement",)

    def service_write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        data = form.cleaned_data
        if change:
            return services.signatory_update(
                signatory=obj,
                actor=request.user,
                changes=self.changes(form, services.SIGNATORY_EDITABLE),
                expected_version=self.version(form),
            )
        return services.signatory_add(
            agreement=data["agreement"],
            party=data["party"],
            name=data["name"],
            office=data["office"],
            notes=data.get("notes", ""),
            actor=request.user,
        )


@admin.register(Clause)
class ClauseAdmin(ServiceAdmin):
    list_display = ["number", "title", "agreement", "is_illustrative"]
    list_filter = ["agreement", "is_illustrative"]
    search_fields = ["number", "title", "text"]
    readonly_fields = ["version", "created_at", "updated_at"]

    fixed_after_create = ("agreement",)

    def service_write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        data = form.cleaned_data
        if change:
            return services.clause_update(
                clause=obj,
                actor=request.user,
                changes=self.changes(form, services.CLAUSE_EDITABLE),
                expected_version=self.version(form),
            )
        return services.clause_create(
            agreement=data["agreement"],
            number=data["number"],
            title=data["title"],
            actor=request.user,
            **{
                name: data[name]
                for name in services.CLAUSE_EDITABLE - {"number", "title"}
                if name in data
            },
        )


class CommitmentAdminForm(VersionedModelForm):
    class Meta:
        model = Commitment
        exclude = ["status", "status_reason", "version"]


@admin.register(Commitment)
class CommitmentAdmin(ServiceAdmin):
    form = CommitmentAdminForm
    list_display = ["reference", "title", "agreement", "owed_by", "owner", "status"]
    list_filter = ["agreement", "status", "lead_institute", "is_illustrative"]
    search_fields = ["reference", "title", "description", "theme"]
    list_select_related = ["agreement", "owed_by", "owner"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["status", "status_reason", "version", "created_at", "updated_at"]
    inlines = [MilestoneInline]
    actions = ["mark_on_track", "mark_at_risk", "mark_off_track", "mark_completed"]

    fixed_after_create = ("agreement",)

    def service_write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        data = form.cleaned_data
        if change:
            return services.commitment_update(
                commitment=obj,
                actor=request.user,
                changes=self.changes(form, services.COMMITMENT_EDITABLE),
                expected_version=self.version(form),
            )
        named = {"clause", "reference", "title", "owner", "lead_institute", "owed_by"}
        return services.commitment_create(
            actor=request.user,
            agreement=data["agreement"],
            clause=data["clause"],
            reference=data["reference"],
            title=data["title"],
            owner=data["owner"],
            lead_institute=data["lead_institute"],
            owed_by=data.get("owed_by"),
            **{name: data[name] for name in services.COMMITMENT_EDITABLE - named if name in data},
        )

    def _transition(self, request: HttpRequest, queryset: Any, to: str) -> None:
        for commitment in queryset:
            self.run_service(
                request,
                lambda c=commitment: services.commitment_transition(
                    commitment=c, to=to, actor=request.user
                ),
                f"{commitment.reference}: {CommitmentStatus(to).label}.",
            )

    @admin.action(description="Mark as on track")
    def mark_on_track(self, request: HttpRequest, queryset: Any) -> None:
        self._transition(request, queryset, CommitmentStatus.ON_TRACK)

    @admin.action(description="Mark as at risk")
    def mark_at_risk(self, request: HttpRequest, queryset: Any) -> None:
        self._transition(request, queryset, CommitmentStatus.AT_RISK)

    @admin.action(description="Mark as off track")
    def mark_off_track(self, request: HttpRequest, queryset: Any) -> None:
        self._transition(request, queryset, CommitmentStatus.OFF_TRACK)

    @admin.action(description="Mark as completed")
    def mark_completed(self, request: HttpRequest, queryset: Any) -> None:
        self._transition(request, queryset, CommitmentStatus.COMPLETED)


class MilestoneAdminForm(VersionedModelForm):
    class Meta:
        model = Milestone
        fields = ["commitment", "title", "due_on", "owner", "evidence_url", "is_illustrative"]


@admin.register(Milestone)
class MilestoneAdmin(ServiceAdmin):
    form = MilestoneAdminForm
    list_display = ["title", "commitment", "due_on", "owner", "status", "done_on"]
    list_filter = ["status", "commitment__agreement", "is_illustrative"]
    search_fields = ["title", "commitment__title", "commitment__reference"]
    list_select_related = ["commitment", "owner"]
    date_hierarchy = "due_on"
    readonly_fields = ["status", "done_on", "status_reason", "version", "created_at", "updated_at"]
    actions = ["mark_done"]

    fixed_after_create = ("commitment",)

    def service_write(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        """Add or edit a milestone (a new due date is a reschedule), one version check."""
        data = form.cleaned_data
        if not change:
            return services.milestone_add(
                commitment=data["commitment"],
                actor=request.user,
                title=data["title"],
                due_on=data["due_on"],
                owner=data.get("owner"),
                **self.changes(form, {"evidence_url", "is_illustrative"}),
            )
        version = self.version(form)
        milestone = obj
        if "due_on" in form.changed_data:
            milestone = services.milestone_reschedule(
                milestone=milestone, due_on=data["due_on"], actor=request.user,
                expected_version=version,
            )  # fmt: skip
            version = milestone.version
        changes = self.changes(form, services.MILESTONE_EDITABLE)
        if changes:
            milestone = services.milestone_update(
                milestone=milestone, actor=request.user, changes=changes, expected_version=version
            )
        return milestone

    @admin.action(description="Mark as done today")
    def mark_done(self, request: HttpRequest, queryset: Any) -> None:
        for milestone in queryset:
            self.run_service(
                request,
                lambda m=milestone: services.milestone_complete(milestone=m, actor=request.user),
                f"{milestone.title}: done.",
            )


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    """Progress updates are posted on the commitment's page and never edited afterwards."""

    list_display = ["commitment", "author", "posted_at", "status_set"]
    list_filter = ["status_set", "commitment__agreement"]
    search_fields = ["note", "commitment__title"]
    list_select_related = ["commitment", "author"]
    readonly_fields = ["version", "created_at", "updated_at"]
