"""Forms of the register's pages. They parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import DateInput
from institutes.models import Institute
from mou.choices import COMMITMENT_TRANSITIONS, CommitmentStatus
from mou.models import Commitment


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
    to = forms.ChoiceField(label="New status")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Required when withdrawing.",
    )

    def __init__(self, *args: Any, commitment: Commitment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = COMMITMENT_TRANSITIONS[commitment.status]
        self.fields["to"].choices = [
            (value, label) for value, label in CommitmentStatus.choices if value in allowed
        ]


class ProgressUpdateForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What has happened")
    evidence_url = forms.URLField(required=False, label="Link to evidence", assume_scheme="https")
    status = forms.ChoiceField(required=False, label="Set the status to")

    def __init__(self, *args: Any, commitment: Commitment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = COMMITMENT_TRANSITIONS[commitment.status]
        self.fields["status"].choices = [("", "No change")] + [
            (value, label) for value, label in CommitmentStatus.choices if value in allowed
        ]


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
