"""Admin for the register. Statuses change only through admin actions that call the
services (so the transition tables apply); other edits are attributed to the user and run
the services' cross-record rules in the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import AttributedAdmin
from core.errors import DomainError
from mou import services
from mou.choices import CommitmentStatus
from mou.models import Agreement, Clause, Commitment, Milestone, Party, ProgressUpdate, Signatory


def _changes(form: Any, allowed: set[str]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in allowed}


def _adopt(obj: Any, saved: Any) -> None:
    """Let the admin go on with the row a service saved (for its redirect and log)."""
    obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})


def _milestone_write(
    request: HttpRequest, milestone: Milestone, form: Any, change: bool
) -> Milestone:
    """Add or edit a milestone through the services (a new due date is a reschedule)."""
    data = form.cleaned_data
    if not change:
        return services.milestone_add(
            commitment=data.get("commitment") or milestone.commitment,
            actor=request.user,
            title=data["title"],
            due_on=data["due_on"],
            owner=data.get("owner"),
            **_changes(form, {"evidence_url", "is_illustrative"}),
        )
    if "due_on" in form.changed_data:
        milestone = services.milestone_reschedule(
            milestone=milestone, due_on=data["due_on"], actor=request.user
        )
    changes = _changes(form, services.MILESTONE_EDITABLE)
    if changes:
        milestone = services.milestone_update(
            milestone=milestone, actor=request.user, changes=changes, expected_version=None
        )
    return milestone


class PartyInline(admin.TabularInline):
    model = Party
    fields = ["institute", "lead_department"]
    extra = 0


class SignatoryInline(admin.TabularInline):
    model = Signatory
    fields = ["party", "name", "office", "notes"]
    extra = 0


class ClauseInline(admin.TabularInline):
    model = Clause
    fields = ["number", "title", "position", "is_illustrative"]
    extra = 0
    show_change_link = True


class CommitmentInline(admin.TabularInline):
    model = Commitment
    fields = ["reference", "title", "clause", "owed_by", "lead_institute", "owner", "status"]
    readonly_fields = ["status"]
    extra = 0
    show_change_link = True


@admin.register(Agreement)
class AgreementAdmin(AttributedAdmin):
    list_display = ["title", "code", "status", "signed_on", "builds_on"]
    list_filter = ["status", "legally_binding"]
    search_fields = ["title", "code", "summary"]
    readonly_fields = ["status", "status_reason", "version", "created_at", "updated_at"]
    inlines = [PartyInline, SignatoryInline, ClauseInline, CommitmentInline]
    actions = ["mark_in_force", "mark_under_review"]

    def save_model(self, request: HttpRequest, obj: Agreement, form: Any, change: bool) -> None:
        if not change:
            # A new agreement's participants arrive in the inline below, after this save;
            # agreement_create (which needs them) serves imports and the API.
            return super().save_model(request, obj, form, change)
        try:
            saved = services.agreement_update(
                agreement=obj,
                actor=request.user,
                changes=_changes(form, services.AGREEMENT_EDITABLE),
                expected_version=None,
            )
        except DomainError as error:
            self.message_user(request, "; ".join(error.errors.values()), messages.ERROR)
            return None
        _adopt(obj, saved)
        return None

    @admin.action(description="Mark as in force")
    def mark_in_force(self, request: HttpRequest, queryset: QuerySet[Agreement]) -> None:
        for agreement in queryset:
            self.run_service(
                request,
                lambda a=agreement: services.agreement_transition(
                    agreement=a, to="in_force", actor=request.user
                ),
                f"{agreement.code} is in force.",
            )

    @admin.action(description="Mark as under review")
    def mark_under_review(self, request: HttpRequest, queryset: QuerySet[Agreement]) -> None:
        for agreement in queryset:
            self.run_service(
                request,
                lambda a=agreement: services.agreement_transition(
                    agreement=a, to="under_review", actor=request.user
                ),
                f"{agreement.code} is under review.",
            )


@admin.register(Clause)
class ClauseAdmin(AttributedAdmin):
    list_display = ["number", "title", "agreement", "is_illustrative"]
    list_filter = ["agreement", "is_illustrative"]
    search_fields = ["number", "title", "text"]
    readonly_fields = ["version", "created_at", "updated_at"]


class CommitmentAdminForm(forms.ModelForm):
    class Meta:
        model = Commitment
        exclude: list[str] = []

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            services.validate_commitment_parties(self.instance)
        except DomainError as error:
            for field, message in error.errors.items():
                self.add_error(field if field in self.fields else None, message)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ["title", "due_on", "owner", "status", "done_on"]
    readonly_fields = ["status", "done_on"]
    extra = 0
    show_change_link = True
    can_delete = False  # a milestone is cancelled (with a reason), never deleted


@admin.register(Commitment)
class CommitmentAdmin(AttributedAdmin):
    form = CommitmentAdminForm
    list_display = ["reference", "title", "agreement", "owed_by", "owner", "status"]
    list_filter = ["agreement", "status", "lead_institute", "is_illustrative"]
    search_fields = ["reference", "title", "description", "theme"]
    list_select_related = ["agreement", "owed_by", "owner"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["status", "status_reason", "version", "created_at", "updated_at"]
    inlines = [MilestoneInline]
    actions = ["mark_on_track", "mark_at_risk", "mark_off_track", "mark_completed"]

    def save_model(self, request: HttpRequest, obj: Commitment, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if change:
                saved = services.commitment_update(
                    commitment=obj,
                    actor=request.user,
                    changes=_changes(form, services.COMMITMENT_EDITABLE),
                    expected_version=None,
                )
            else:
                named = {"clause", "reference", "title", "owner", "lead_institute", "owed_by"}
                rest = {
                    name: data[name]
                    for name in services.COMMITMENT_EDITABLE - named
                    if name in data
                }
                saved = services.commitment_create(
                    actor=request.user,
                    agreement=data["agreement"],
                    clause=data["clause"],
                    reference=data["reference"],
                    title=data["title"],
                    owner=data["owner"],
                    lead_institute=data["lead_institute"],
                    owed_by=data.get("owed_by"),
                    **rest,
                )
        except DomainError as error:
            self.message_user(request, "; ".join(error.errors.values()), messages.ERROR)
            return
        _adopt(obj, saved)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Milestone:
            return super().save_formset(request, form, formset, change)
        # The admin's change message reads these three lists after saving.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            milestone = inline_form.instance
            is_new = milestone.pk is None
            try:
                saved = _milestone_write(request, milestone, inline_form, change=not is_new)
            except DomainError as error:
                self.message_user(request, "; ".join(error.errors.values()), messages.ERROR)
                continue
            if is_new:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, inline_form.changed_data))
        return None

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


@admin.register(Milestone)
class MilestoneAdmin(AttributedAdmin):
    list_display = ["title", "commitment", "due_on", "owner", "status", "done_on"]
    list_filter = ["status", "commitment__agreement", "is_illustrative"]
    search_fields = ["title", "commitment__title", "commitment__reference"]
    list_select_related = ["commitment", "owner"]
    date_hierarchy = "due_on"
    readonly_fields = ["status", "done_on", "status_reason", "version", "created_at", "updated_at"]
    actions = ["mark_done"]

    def save_model(self, request: HttpRequest, obj: Milestone, form: Any, change: bool) -> None:
        try:
            saved = _milestone_write(request, obj, form, change)
        except DomainError as error:
            self.message_user(request, "; ".join(error.errors.values()), messages.ERROR)
            return
        _adopt(obj, saved)

    @admin.action(description="Mark as done today")
    def mark_done(self, request: HttpRequest, queryset: Any) -> None:
        for milestone in queryset:
            self.run_service(
                request,
                lambda m=milestone: services.milestone_complete(milestone=m, actor=request.user),
                f"{milestone.title}: done.",
            )


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(AttributedAdmin):
    list_display = ["commitment", "author", "posted_at", "status_set"]
    list_filter = ["status_set", "commitment__agreement"]
    search_fields = ["note", "commitment__title"]
    list_select_related = ["commitment", "author"]
    readonly_fields = ["version", "created_at", "updated_at"]
