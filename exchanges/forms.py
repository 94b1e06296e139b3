"""Forms of the exchange pages. They parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import DateInput
from exchanges.choices import Side, VettingLevel
from exchanges.models import Secondment
from institutes.models import Institute, Person
from mou.models import Agreement, Commitment


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} ({obj.institute.short_name})"


class CommitmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Commitment) -> str:
        return f"{obj.agreement.code} {obj.reference} {obj.title}"


def _vetting_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=VettingLevel.choices, coerce=int, initial=VettingLevel.NONE
    )


class SecondmentForm(forms.Form):
    """Proposing or editing a secondment; ``version`` proves the editor saw the latest copy."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    agreement = forms.ModelChoiceField(queryset=Agreement.objects.all(), to_field_name="code")
    person = PersonChoiceField(
        queryset=Person.objects.select_related("institute").order_by("name"),
        label="Secondee",
        help_text="They must work at the home institute.",
        error_messages={"invalid_choice": "Choose a person who works at the home institute."},
    )
    home_institute = forms.ModelChoiceField(
        queryset=Institute.objects.all(),
        error_messages={"invalid_choice": "Choose one of the agreement's participants."},
    )
    host_institute = forms.ModelChoiceField(
        queryset=Institute.objects.all(),
        error_messages={"invalid_choice": "Choose one of the agreement's participants."},
    )
    role = forms.CharField(label="Role or project", max_length=300)
    planned_start_on = forms.DateField(label="Planned start", widget=DateInput)
    planned_end_on = forms.DateField(label="Planned end", widget=DateInput)
    commitments = CommitmentChoiceField(
        queryset=Commitment.objects.select_related("agreement").order_by(
            "agreement__code", "reference"
        ),
        required=False,
        label="Commitments it delivers",
        help_text="Commitments of the secondment's agreement.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose commitments of the secondment's agreement."},
    )
    vetting_required_home = _vetting_field("Vetting the home side requires")
    vetting_required_host = _vetting_field("Vetting the host side requires")
    vetting_held = _vetting_field("Vetting the secondee holds")
    vetting_granted_on = forms.DateField(label="Vetting granted", widget=DateInput, required=False)
    vetting_expires_on = forms.DateField(label="Vetting expires", widget=DateInput, required=False)
    undertaking_signed_on = forms.DateField(
        label="Confidentiality and IP undertaking signed", widget=DateInput, required=False
    )
    access_granted_on = forms.DateField(
        label="Host-side access granted", widget=DateInput, required=False
    )
    access_expires_on = forms.DateField(
        label="Host-side access expires",
        widget=DateInput,
        required=False,
        help_text="Leave blank when access lasts for the whole secondment.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    PLAN = (
        "agreement", "person", "home_institute", "host_institute", "role", "planned_start_on",
        "planned_end_on", "commitments",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chosen_agreement = self._chosen_agreement()
        self.home_known = False
        if self.chosen_agreement is None:
            return
        # Offer only what can be chosen under this agreement: its participants, their
        # people (the home institute's, once it is known) and its commitments.
        parties = Institute.objects.filter(party_links__agreement=self.chosen_agreement).order_by(
            "name"
        )
        fields: dict[str, Any] = self.fields
        fields["home_institute"].queryset = parties
        fields["host_institute"].queryset = parties
        people = fields["person"].queryset.filter(institute__in=parties)
        home = self._chosen("home_institute")
        self.home_known = bool(home and str(home).isdigit())
        if self.home_known:
            people = people.filter(institute_id=home)
        fields["person"].queryset = people
        fields["commitments"].queryset = fields["commitments"].queryset.filter(
            agreement=self.chosen_agreement
        )

    def _chosen(self, name: str) -> Any:
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        return getattr(value, "pk", value) or None

    def _chosen_agreement(self) -> Agreement | None:
        code = self._chosen("agreement")
        if isinstance(code, Agreement):
            return code
        return Agreement.objects.filter(code=str(code)).first() if code else None

    def restrict_to(self, editable: frozenset[str]) -> None:
        """Show, but do not offer, what this coordinator's side may not change now
        (``SECONDMENT_FIELD_RIGHTS``; the service refuses the same fields)."""
        for name, field in self.fields.items():
            if name != "version" and name not in editable:
                field.disabled = True
                field.help_text = "Your side cannot change this now."

    def plan_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PLAN]

    def readiness_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.PLAN and name != "version"]

    @classmethod
    def initial_from(cls, secondment: Secondment) -> dict[str, Any]:
        initial = {name: getattr(secondment, name) for name in cls.base_fields}
        initial["agreement"] = secondment.agreement.code
        initial["commitments"] = [c.pk for c in secondment.commitments.all()]
        return initial

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("commitments", None)
        return data


class SecondmentActionForm(forms.Form):
    """One action button on a secondment's page (approve, activate, complete, cancel).

    ``version`` is sent by the page; an action is also checked against the row's current
    status, so a client that leaves it out cannot undo someone else's step."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    side = forms.ChoiceField(choices=Side.choices, required=False, widget=forms.HiddenInput)
    on = forms.DateField(label="Date", widget=DateInput, required=False)
    reason = forms.CharField(
        label="Reason for cancelling", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SecondmentCancelForm(SecondmentActionForm):
    reason = forms.CharField(
        label="Reason for cancelling",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason for cancelling."},
    )


class FiguresForm(forms.Form):
    agreement = forms.ModelChoiceField(
        queryset=Agreement.objects.all(), to_field_name="code", required=False
    )
    year = forms.IntegerField(min_value=1900, max_value=2999, required=False)
