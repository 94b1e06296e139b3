from __future__ import annotations

from rest_framework import serializers

from core.api import RefField
from exchanges.choices import Side
from exchanges.models import Secondment
from mou.api.serializers import VersionedSerializer


class SecondmentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="secondment-detail", help_text="This record in the API."
    )
    agreement = RefField("agreement-detail", lambda a: a.code, help_text="The agreement.")
    person = RefField("person-detail", lambda p: p.name, help_text="The secondee.")
    home_institute = RefField(
        "institute-detail", lambda i: i.short_name, help_text="Where the secondee comes from."
    )
    host_institute = RefField(
        "institute-detail", lambda i: i.short_name, help_text="Where the secondee goes."
    )
    direction = serializers.CharField(
        read_only=True, help_text="Home country → host country, e.g. UK→AU."
    )
    days = serializers.IntegerField(
        read_only=True, help_text="Person-days: actual dates when known, else planned."
    )
    commitments = RefField(
        "commitment-detail",
        lambda c: c.reference,
        many=True,
        help_text="The commitments the secondment delivers.",
    )

    class Meta:
        model = Secondment
        fields = [
            "id", "url", "agreement", "person", "home_institute", "host_institute",
            "direction", "role", "planned_start_on", "planned_end_on", "actual_start_on",
            "actual_end_on", "days", "status", "home_approved_at", "host_approved_at",
            "cancellation_reason", "vetting_required_home", "vetting_required_host",
            "vetting_held", "vetting_granted_on", "vetting_expires_on", "undertaking_signed_on",
            "access_granted_on", "access_expires_on", "commitments", "notes", "is_illustrative",
            "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ApproveSerializer(VersionedSerializer):
    side = serializers.ChoiceField(
        choices=Side.choices,
        required=False,
        help_text="The side approving; a coordinator's own side when left out.",
    )


class DatedActionSerializer(VersionedSerializer):
    on = serializers.DateField(required=False, help_text="The date; today when left out.")


class CancelSerializer(VersionedSerializer):
    reason = serializers.CharField(allow_blank=True, help_text="Why it is cancelled (needed).")


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
