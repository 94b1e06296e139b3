"""The register in the API. Related records are ``{id, url, display}`` everywhere."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from core.api import NullableRefField, RefField
from mou.choices import CommitmentStatus, Rag
from mou.models import Agreement, Clause, Commitment, Milestone, Party, ProgressUpdate, Signatory

VERSION_HELP = "Bumped on every change; send it back (or the ETag in If-Match) when writing."
UPDATED_HELP = "When the record last changed (UTC)."
COMMON_EXTRA = {
    "version": {"help_text": VERSION_HELP},
    "updated_at": {"help_text": UPDATED_HELP},
    "created_at": {"help_text": "When the record was created (UTC)."},
}


def url_field(view_name: str) -> serializers.HyperlinkedIdentityField:
    return serializers.HyperlinkedIdentityField(
        view_name=view_name, help_text="This record in the API."
    )


def agreement_ref(**kwargs: Any) -> RefField:
    return RefField("agreement-detail", lambda a: a.code, **kwargs)


def institute_ref(**kwargs: Any) -> RefField:
    return RefField("institute-detail", lambda i: i.short_name, **kwargs)


def person_ref(**kwargs: Any) -> RefField:
    return RefField("person-detail", lambda p: p.name, **kwargs)


class AgreementSerializer(serializers.ModelSerializer):
    url = url_field("agreement-detail")
    builds_on = NullableRefField(
        "agreement-detail",
        lambda a: a.code,
        help_text="The earlier agreement this one builds on; null when none.",
    )
    parties = institute_ref(many=True, help_text="The participants.")

    class Meta:
        model = Agreement
        fields = [
            "id", "url", "code", "title", "kind", "status", "status_reason", "legally_binding",
            "signed_on", "signed_place", "effective_on", "review_on", "expires_on", "builds_on",
            "parties", "summary", "source_url", "sources", "notes", "version", "updated_at",
        ]  # fmt: skip
        extra_kwargs = COMMON_EXTRA


class PartySerializer(serializers.ModelSerializer):
    url = url_field("party-detail")
    agreement = agreement_ref(help_text="The agreement.")
    institute = institute_ref(help_text="The participating institute.")

    class Meta:
        model = Party
        fields = ["id", "url", "agreement", "institute", "lead_department", "version", "updated_at"]
        extra_kwargs = COMMON_EXTRA


class SignatorySerializer(serializers.ModelSerializer):
    url = url_field("signatory-detail")
    agreement = agreement_ref(help_text="The agreement signed.")
    party = RefField(
        "party-detail", lambda p: p.institute.short_name, help_text="The participant signed for."
    )

    class Meta:
        model = Signatory
        fields = ["id", "url", "agreement", "party", "name", "office", "notes", "version"]
        extra_kwargs = COMMON_EXTRA


class ClauseSerializer(serializers.ModelSerializer):
    url = url_field("clause-detail")
    agreement = agreement_ref(help_text="The agreement the clause is part of.")

    class Meta:
        model = Clause
        fields = [
            "id", "url", "agreement", "number", "title", "text", "position", "is_illustrative",
            "version", "updated_at",
        ]  # fmt: skip
        extra_kwargs = COMMON_EXTRA


class CommitmentSerializer(serializers.ModelSerializer):
    url = url_field("commitment-detail")
    agreement = agreement_ref(help_text="The agreement.")
    clause = RefField(
        "clause-detail", lambda c: c.number, help_text="The clause the commitment falls under."
    )
    owed_by = NullableRefField(
        "institute-detail",
        lambda i: i.short_name,
        help_text="The institute that owes it; null when the participants owe it jointly.",
    )
    lead_institute = institute_ref(help_text="The institute that leads the work.")
    owner = person_ref(help_text="The person answerable for it.")
    rag = serializers.ChoiceField(
        choices=Rag.choices,
        read_only=True,
        help_text="Red, amber, green or grey, worked out now (see the RAG rule in the docs).",
    )

    class Meta:
        model = Commitment
        fields = [
            "id", "url", "agreement", "clause", "reference", "title", "description", "owed_by",
            "lead_institute", "owner", "theme", "start_on", "target_on", "recurrence",
            "recurrence_count", "status", "status_reason", "rag", "is_illustrative", "version",
            "updated_at",
        ]  # fmt: skip
        extra_kwargs = COMMON_EXTRA


class MilestoneSerializer(serializers.ModelSerializer):
    url = url_field("milestone-detail")
    agreement = agreement_ref(source="commitment.agreement", help_text="The agreement.")
    commitment = RefField(
        "commitment-detail", lambda c: c.reference, help_text="The commitment it delivers."
    )
    owner = person_ref(help_text="The person who delivers it.")
    is_late = serializers.BooleanField(
        read_only=True,
        help_text="Open, under an open commitment, and its due date has ended in the "
        "owner's time zone.",
    )
    days_late = serializers.SerializerMethodField(
        help_text="Whole days past the due date in the owner's time zone; 0 when not late."
    )

    class Meta:
        model = Milestone
        fields = [
            "id", "url", "agreement", "commitment", "title", "due_on", "owner", "status",
            "is_late", "days_late", "done_on", "evidence_url", "status_reason", "sequence",
            "is_illustrative", "version", "updated_at",
        ]  # fmt: skip
        extra_kwargs = COMMON_EXTRA

    def get_days_late(self, obj: Milestone) -> int:
        if not getattr(obj, "is_late", False):
            return 0
        return (obj.owner_today - obj.due_on).days  # type: ignore[attr-defined]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    url = url_field("progressupdate-detail")
    commitment = RefField(
        "commitment-detail", lambda c: c.reference, help_text="The commitment reported on."
    )
    agreement = agreement_ref(source="commitment.agreement", help_text="The agreement.")
    author = person_ref(help_text="Who wrote it.")

    class Meta:
        model = ProgressUpdate
        fields = [
            "id", "url", "agreement", "commitment", "posted_at", "author", "note", "evidence_url",
            "status_set", "version", "updated_at",
        ]  # fmt: skip
        extra_kwargs = COMMON_EXTRA | {
            "status_set": {"help_text": "The status the update moved the commitment to, if any."}
        }


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you read; or send the ETag in If-Match. One of them is needed.",
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Now at risk",
            value={"to": CommitmentStatus.AT_RISK.value, "version": 3},
            request_only=True,
        ),
        OpenApiExample(
            "Withdrawn",
            value={
                "to": CommitmentStatus.WITHDRAWN.value,
                "reason": "Superseded by 2.4-b.",
                "version": 3,
            },
            request_only=True,
        ),
    ]
)
class TransitionSerializer(VersionedSerializer):
    to = serializers.ChoiceField(choices=CommitmentStatus.choices, help_text="The new status.")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why; needed when withdrawing.",
    )


class MilestoneCompleteSerializer(VersionedSerializer):
    done_on = serializers.DateField(
        required=False, help_text="When it was done; today in the owner's zone when left out."
    )
    evidence_url = serializers.URLField(required=False, allow_blank=True, default="")


class MilestoneCancelSerializer(VersionedSerializer):
    reason = serializers.CharField(allow_blank=True, help_text="Why it is cancelled (needed).")


class MilestoneRescheduleSerializer(VersionedSerializer):
    due_on = serializers.DateField(help_text="The new due date.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
