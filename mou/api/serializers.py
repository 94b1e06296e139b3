from rest_framework import serializers

from mou.models import Agreement, Clause, Commitment, Milestone, ProgressUpdate


class AgreementSerializer(serializers.ModelSerializer):
    parties = serializers.SlugRelatedField(many=True, read_only=True, slug_field="short_name")
    builds_on = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = Agreement
        fields = [
            "id", "code", "title", "kind", "status", "legally_binding", "signed_on",
            "signed_place", "effective_on", "review_on", "expires_on", "builds_on", "parties",
            "summary", "sources", "notes", "version", "updated_at",
        ]  # fmt: skip


class ClauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clause
        fields = ["id", "number", "title", "text", "is_illustrative"]


class CommitmentSerializer(serializers.ModelSerializer):
    agreement = serializers.SlugRelatedField(read_only=True, slug_field="code")
    clause = serializers.CharField(source="clause.number", read_only=True)
    owed_by = serializers.SlugRelatedField(read_only=True, slug_field="short_name")
    lead_institute = serializers.SlugRelatedField(read_only=True, slug_field="short_name")
    owner = serializers.CharField(source="owner.name", read_only=True)
    rag = serializers.CharField(read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id", "agreement", "clause", "reference", "title", "description", "owed_by",
            "lead_institute", "owner", "theme", "start_on", "target_on", "recurrence",
            "recurrence_count", "status", "status_reason", "rag", "is_illustrative", "version",
            "updated_at",
        ]  # fmt: skip


class MilestoneSerializer(serializers.ModelSerializer):
    commitment = serializers.CharField(source="commitment.reference", read_only=True)
    agreement = serializers.CharField(source="commitment.agreement.code", read_only=True)
    owner = serializers.CharField(source="owner.name", read_only=True)
    is_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id", "agreement", "commitment", "title", "due_on", "owner", "status", "is_late",
            "done_on", "evidence_url", "is_illustrative", "version", "updated_at",
        ]  # fmt: skip


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name", read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "posted_at", "author", "note", "evidence_url", "status_set"]


class TransitionSerializer(serializers.Serializer):
    to = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
