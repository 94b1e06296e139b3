from __future__ import annotations

from rest_framework import serializers

from exchanges.choices import Side
from exchanges.models import Secondment


class SecondmentSerializer(serializers.ModelSerializer):
    agreement = serializers.SlugRelatedField(slug_field="code", read_only=True)
    person = serializers.CharField(source="person.name", read_only=True)
    person_id = serializers.IntegerField(read_only=True)
    home_institute = serializers.CharField(source="home_institute.short_name", read_only=True)
    host_institute = serializers.CharField(source="host_institute.short_name", read_only=True)
    direction = serializers.CharField(read_only=True)
    days = serializers.IntegerField(read_only=True)
    commitments = serializers.SerializerMethodField()

    class Meta:
        model = Secondment
        fields = [
            "id", "agreement", "person", "person_id", "home_institute", "host_institute",
            "direction", "role", "planned_start_on", "planned_end_on", "actual_start_on",
            "actual_end_on", "days", "status", "home_approved_at", "host_approved_at",
            "cancellation_reason", "vetting_required_home", "vetting_required_host",
            "vetting_held", "vetting_granted_on", "vetting_expires_on", "undertaking_signed_on",
            "access_granted_on", "access_expires_on", "commitments", "notes", "is_illustrative",
            "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_commitments(self, obj: Secondment) -> list[int]:
        return [c.pk for c in obj.commitments.all()]


class ApproveSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices, required=False)
    version = serializers.IntegerField(required=False)


class DatedActionSerializer(serializers.Serializer):
    on = serializers.DateField(required=False)
    version = serializers.IntegerField(required=False)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(required=False)


class FigureSerializer(serializers.Serializer):
    agreement = serializers.CharField(source="agreement_code")
    year = serializers.IntegerField()
    direction = serializers.CharField()
    home_country = serializers.CharField()
    host_country = serializers.CharField()
    secondments = serializers.IntegerField()
    person_days = serializers.IntegerField()
    planned_exchanges = serializers.IntegerField(allow_null=True)
    planned_staff_days = serializers.IntegerField(allow_null=True)
