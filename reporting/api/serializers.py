from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from core.api import RefField
from mou.api.serializers import MilestoneSerializer
from mou.choices import CommitmentStatus, Rag


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Joint commitments at risk",
            value={
                "agreement": "uk-au-ai-2026",
                "agreement_id": 2,
                "participant_id": None,
                "participant": "Joint",
                "status": CommitmentStatus.AT_RISK.value,
                "rag": Rag.AMBER.value,
                "count": 3,
            },
            response_only=True,
        )
    ]
)
class CommitmentCountSerializer(serializers.Serializer):
    agreement = serializers.CharField(source="agreement_code", help_text="Agreement code.")
    agreement_id = serializers.IntegerField()
    participant_id = serializers.IntegerField(
        allow_null=True, help_text="The institute that owes them; null for the joint row."
    )
    participant = serializers.CharField(help_text="Its short name, or “Joint”.")
    status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    rag = serializers.ChoiceField(choices=Rag.choices)
    count = serializers.IntegerField(min_value=0)


class MilestoneCountSerializer(serializers.Serializer):
    agreement = serializers.CharField(source="agreement_code", help_text="Agreement code.")
    agreement_id = serializers.IntegerField()
    late = serializers.IntegerField(min_value=0, help_text="Late in their owner's time zone.")
    due_within_30 = serializers.IntegerField(min_value=0, help_text="Due in 0–30 days.")
    due_within_90 = serializers.IntegerField(min_value=0, help_text="Due in 0–90 days.")


class ExchangeCountSerializer(serializers.Serializer):
    agreement = serializers.CharField(source="agreement_code", help_text="Agreement code.")
    year = serializers.IntegerField()
    direction = serializers.CharField(help_text="Home → host country, e.g. UK→AU.")
    secondments = serializers.IntegerField(min_value=0)
    person_days = serializers.IntegerField(min_value=0)


class SummarySerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="The instant the figures describe.")
    as_of = serializers.DateField(allow_null=True, help_text="The date asked for; null for now.")
    commitments = CommitmentCountSerializer(many=True)
    milestones = MilestoneCountSerializer(many=True)
    secondments = ExchangeCountSerializer(many=True)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A status change",
            value={
                "at": "2027-01-14T10:02:11Z",
                "record_type": "commitment",
                "record_id": 12,
                "record": "2.1-a",
                "kind": "changed",
                "field": "status",
                "old": "On track",
                "new": "At risk",
                "by": "Olive Owner",
            },
            response_only=True,
        )
    ]
)
class ChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When it changed.")
    record_type = serializers.ChoiceField(
        choices=[
            "agreement",
            "party",
            "signatory",
            "clause",
            "commitment",
            "milestone",
            "progress_update",
            "institute",
            "person",
            "secondment",
        ]  # fmt: skip
    )
    record_id = serializers.IntegerField()
    record = serializers.CharField(help_text="The record's name or reference at that time.")
    kind = serializers.ChoiceField(choices=["created", "changed", "deleted", "became_late"])
    field = serializers.CharField(help_text="The field changed; empty for created/deleted.")
    old = serializers.CharField(help_text="The value before, in words (“—” when empty).")
    new = serializers.CharField(help_text="The value after, in words.")
    by = serializers.CharField(help_text="Who made the change (or which process).")


class ChangesPageSerializer(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text="The next page of changes; null on the last page."
    )
    results = ChangeSerializer(many=True)


class OverdueSerializer(MilestoneSerializer):
    owner_institute = RefField(
        "institute-detail",
        lambda i: i.short_name,
        source="owner.institute",
        help_text="The owner's institute.",
    )

    class Meta(MilestoneSerializer.Meta):
        fields = [*MilestoneSerializer.Meta.fields, "owner_institute"]
