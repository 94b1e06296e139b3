"""Forms of the register's pages. They parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import DateInput
from institutes.models import Institute, Person
from mou.choices import COMMITMENT_NEEDS_REASON, COMMITMENT_TRANSITIONS, CommitmentStatus
from mou.models import Agreement, Clause, Commitment, Party


class VersionedForm(forms.Form):
    """Carries the version the editor started from, so a stale save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class CommitmentForm(VersionedForm):
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    theme = forms.CharField(max_length=120, required=False)
    owed_by = forms.ModelChoiceField(
        queryset=Institute.objects.none(),
        required=False,
        empty_label="Jointly by all participants",
        label="Owed by",
    )
    lead_institute = forms.ModelChoiceField(queryset=Institute.objects.none())
    start_on = forms.DateField(widget=DateInput, required=False, label="Start date")
    target_on = forms.DateField(widget=DateInput, required=False, label="Target date")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    FIELDS = ["title", "description", "theme", "owed_by", "lead_institute", "start_on",
              "target_on", "notes"]  # fmt: skip

    def __init__(
        self,
        *args: Any,
        commitment: Commitment,
        editable: frozenset[str] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {name: getattr(commitment, name) for name in self.FIELDS}
            | {"version": commitment.version},
        )
        super().__init__(*args, **kwargs)
        parties = commitment.agreement.parties.all()
        self.fields["owed_by"].queryset = parties
        self.fields["lead_institute"].queryset = parties
        # What this person may not change is shown, not offered (the rights are
        # ``COMMITMENT_FIELD_EDITORS``; the service refuses the same fields).
        for name in self.FIELDS:
            if editable is not None and name not in editable:
                self.fields[name].disabled = True
                self.fields[name].help_text = "You cannot change this."

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class CommitmentTransitionForm(forms.Form):
    """The one form that changes a commitment's status. Nothing is chosen until the person
    chooses; withdrawing, which needs a reason, has its own form."""

    to = forms.ChoiceField(
        label="New status", error_messages={"required": "Choose the new status."}
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Why (optional)"
    )

    def __init__(self, *args: Any, commitment: Commitment, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "status-%s")
        super().__init__(*args, **kwargs)
        allowed = COMMITMENT_TRANSITIONS[commitment.status] - COMMITMENT_NEEDS_REASON
        self.allowed = [
            (value, label) for value, label in CommitmentStatus.choices if value in allowed
        ]
        self.fields["to"].choices = [("", "Choose a status"), *self.allowed]

    def has_choices(self) -> bool:
        return bool(self.allowed)


class ProgressUpdateForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What has happened")
    evidence_url = forms.URLField(required=False, label="Link to evidence", assume_scheme="https")

    def __init__(self, *args: Any, commitment: Commitment, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "update-%s")
        super().__init__(*args, **kwargs)


class MilestoneActionForm(forms.Form):
    """One of the forms side by side on a milestone's page: ids of its own (``reschedule-
    reason``, ``cancel-reason``) so that each label points at its own box."""

    action = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.action}-%s")
        super().__init__(*args, **kwargs)


class MilestoneCompleteForm(MilestoneActionForm):
    action = "complete"
    done_on = forms.DateField(widget=DateInput, label="Done on", required=False,
                              help_text="Leave blank for today.")  # fmt: skip
    evidence_url = forms.URLField(required=False, label="Link to evidence", assume_scheme="https")


class MilestoneRescheduleForm(MilestoneActionForm, VersionedForm):
    action = "reschedule"
    due_on = forms.DateField(widget=DateInput, label="New due date")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MilestoneCancelForm(MilestoneActionForm):
    action = "cancel"
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why is it cancelled")


# --- Authoring ------------------------------------------------------------------------


class InstituteChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Institute) -> str:
        return f"{obj.name} ({obj.short_name})"


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} ({obj.institute.short_name})"


class AgreementDetailsForm(forms.Form):
    """The details of an agreement that its authors may edit."""

    title = forms.CharField(max_length=300)
    kind = forms.CharField(max_length=80, initial="Memorandum of Understanding", label="Kind")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    legally_binding = forms.BooleanField(required=False, label="Legally binding")
    signed_on = forms.DateField(widget=DateInput, required=False, label="Signed on")
    signed_place = forms.CharField(max_length=120, required=False, label="Signed at (place)")
    effective_on = forms.DateField(widget=DateInput, required=False, label="Effective from")
    review_on = forms.DateField(widget=DateInput, required=False, label="Review date")
    expires_on = forms.DateField(widget=DateInput, required=False, label="Expiry date")
    source_url = forms.URLField(
        max_length=500, required=False, label="Link to the published text", assume_scheme="https"
    )
    sources = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    DETAILS = (
        "title", "kind", "summary", "legally_binding", "signed_on", "signed_place",
        "effective_on", "review_on", "expires_on", "source_url", "sources", "notes",
    )  # fmt: skip

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.DETAILS}


class AgreementCreateForm(AgreementDetailsForm):
    code = forms.SlugField(
        max_length=40,
        label="Short reference code",
        help_text="Lower-case letters, numbers and hyphens, e.g. uk-au-ai-2026.",
    )
    parties = InstituteChoices(
        queryset=Institute.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        label="Participants",
        help_text="Choose at least two.",
    )

    field_order = ["title", "code", "parties"]


class AgreementEditForm(AgreementDetailsForm, VersionedForm):
    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {name: getattr(agreement, name) for name in self.DETAILS}
            | {"version": agreement.version},
        )
        super().__init__(*args, **kwargs)


class SignatoryForm(forms.Form):
    party = forms.ModelChoiceField(queryset=Party.objects.none(), label="Signs for")
    name = forms.CharField(max_length=200)
    office = forms.CharField(max_length=300, label="Office", help_text="e.g. Secretary of State.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = Party.objects.filter(agreement=agreement).select_related(
            "institute"
        )
        self.fields["party"].label_from_instance = lambda p: p.institute.name


class ClauseForm(forms.Form):
    number = forms.CharField(max_length=20, label="Number", help_text="e.g. 3.2")
    title = forms.CharField(max_length=300)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    position = forms.IntegerField(
        min_value=0, initial=0, label="Position", help_text="Order within the agreement."
    )

    FIELDS = ("number", "title", "text", "position")

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ClauseEditForm(ClauseForm, VersionedForm):
    def __init__(self, *args: Any, clause: Clause, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {name: getattr(clause, name) for name in self.FIELDS} | {"version": clause.version},
        )
        super().__init__(*args, **kwargs)


class CommitmentCreateForm(forms.Form):
    clause = forms.ModelChoiceField(queryset=Clause.objects.none(), empty_label="Choose a clause")
    reference = forms.CharField(max_length=30, help_text="e.g. 2.1-a; unique in the agreement.")
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    owed_by = forms.ModelChoiceField(
        queryset=Institute.objects.none(),
        required=False,
        empty_label="Jointly by all participants",
        label="Owed by",
    )
    lead_institute = forms.ModelChoiceField(
        queryset=Institute.objects.none(), empty_label="Choose the lead institute"
    )
    owner = PersonChoice(
        queryset=Person.objects.none(),
        empty_label="Choose the owner",
        help_text="A person at one of the participants.",
    )
    theme = forms.CharField(max_length=120, required=False)
    start_on = forms.DateField(widget=DateInput, required=False, label="Start date")
    target_on = forms.DateField(widget=DateInput, required=False, label="Target date")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = Clause.objects.filter(agreement=agreement).order_by(
            "position", "number"
        )
        parties = Institute.objects.filter(party_links__agreement=agreement).order_by("name")
        self.fields["owed_by"].queryset = parties
        self.fields["lead_institute"].queryset = parties
        self.fields["owner"].queryset = (
            Person.objects.filter(institute__party_links__agreement=agreement)
            .select_related("institute")
            .order_by("name")
        )


class MilestoneAddForm(forms.Form):
    title = forms.CharField(max_length=300, label="Milestone")
    due_on = forms.DateField(widget=DateInput, label="Due on")
    owner = PersonChoice(
        queryset=Person.objects.none(),
        required=False,
        empty_label="The commitment's owner",
        label="Owner",
    )

    def __init__(self, *args: Any, commitment: Commitment, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "milestone-%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            Person.objects.filter(institute__party_links__agreement_id=commitment.agreement_id)
            .select_related("institute")
            .order_by("name")
        )


class MilestoneRenameForm(VersionedForm):
    title = forms.CharField(max_length=300, label="New title")


class CommitmentWithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is it withdrawn",
        error_messages={"required": "Give a reason for withdrawing."},
    )
