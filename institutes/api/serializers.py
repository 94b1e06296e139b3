from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api import NullableRefField, RefField
from institutes.choices import Role
from institutes.models import Institute, Person
from institutes.roles import has_role, is_administrator


class InstituteSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="institute-detail", help_text="This record in the API."
    )

    class Meta:
        model = Institute
        fields = [
            "id", "url", "name", "short_name", "country", "parent_department", "time_zone",
            "website", "version", "updated_at",
        ]  # fmt: skip


class PersonSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="person-detail", help_text="This record in the API."
    )
    institute = RefField(
        "institute-detail", lambda i: i.short_name, help_text="The person's institute."
    )
    country = serializers.CharField(
        source="institute.country", read_only=True, help_text="The institute's country (ISO)."
    )
    manager = NullableRefField("person-detail", lambda p: p.name, help_text="Their manager.")
    email = serializers.EmailField(
        read_only=True,
        required=False,
        help_text="Left out for the reporting role (analysts work with figures, not contacts).",
    )

    class Meta:
        model = Person
        fields = [
            "id", "url", "name", "job_title", "institute", "country", "time_zone", "manager",
            "is_contact", "is_illustrative", "email", "version", "updated_at",
        ]  # fmt: skip

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = self.context["request"].user
        if has_role(user, Role.REPORTING_ANALYST) and not is_administrator(user):
            data.pop("email", None)
        return data
