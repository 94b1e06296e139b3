from __future__ import annotations

import pghistory
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.models import TimestampedModel
from core.search import search_document
from institutes.models import Institute, Person
from mou.choices import AgreementStatus, CommitmentStatus, MilestoneStatus, Recurrence
from mou.querysets import AgreementQuerySet, CommitmentQuerySet, MilestoneQuerySet

ILLUSTRATIVE_HELP = "Not taken from a public source: shown to users as illustrative."

# The fields of each record that the register's search reads (see core.search).
AGREEMENT_SEARCH_FIELDS = ("title", "code", "summary", "notes")
CLAUSE_SEARCH_FIELDS = ("number", "title", "text")
COMMITMENT_SEARCH_FIELDS = ("title", "reference", "description", "theme", "notes")
MILESTONE_SEARCH_FIELDS = ("title",)


@pghistory.track()
class Agreement(TimestampedModel):
    """A Memorandum of Understanding (or similar arrangement) between two or more parties."""

    title = models.CharField(max_length=300)
    code = models.SlugField(max_length=40, unique=True, help_text="Short reference code.")
    kind = models.CharField(max_length=80, default="Memorandum of Understanding")
    summary = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    status_reason = models.TextField(blank=True)
    legally_binding = models.BooleanField(default=False)
    signed_on = models.DateField(null=True, blank=True)
    signed_place = models.CharField(max_length=120, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    builds_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="built_upon_by"
    )
    source_url = models.URLField(blank=True, max_length=500)
    sources = models.TextField(blank=True, help_text="Where the facts in this record come from.")
    notes = models.TextField(blank=True, help_text="Uncertainties and caveats.")
    parties = models.ManyToManyField(Institute, through="Party", related_name="agreements")

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AgreementStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(effective_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(effective_on__gte=F("signed_on")),
                name="%(app_label)s_%(class)s_effective_after_signed",
                violation_error_message="The effective date cannot be before the signing date.",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(effective_on__isnull=True)
                | Q(expires_on__gt=F("effective_on")),
                name="%(app_label)s_%(class)s_expires_after_effective",
                violation_error_message="The expiry date must be after the effective date.",
            ),
            models.CheckConstraint(
                condition=Q(review_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(review_on__gt=F("signed_on")),
                name="%(app_label)s_%(class)s_review_after_signed",
                violation_error_message="The review date must be after the signing date.",
            ),
            models.CheckConstraint(
                condition=~Q(builds_on=F("pk")),
                name="%(app_label)s_%(class)s_not_built_on_itself",
            ),
        ]
        indexes = [
            GinIndex(search_document(*AGREEMENT_SEARCH_FIELDS), name="mou_agreement_search_idx"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track()
class Party(TimestampedModel):
    """An institute's participation in an agreement (a "participant")."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="party_links")
    institute = models.ForeignKey(Institute, on_delete=models.PROTECT, related_name="party_links")
    lead_department = models.CharField(
        max_length=200, blank=True, help_text="The department that leads for this participant."
    )

    class Meta:
        ordering = ["agreement", "institute__name"]
        verbose_name_plural = "parties"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "institute"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institute} in {self.agreement.code}"


@pghistory.track()
class Signatory(TimestampedModel):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="signatories")
    name = models.CharField(max_length=200)
    office = models.CharField(max_length=300)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["agreement", "party__institute__name", "name"]
        verbose_name_plural = "signatories"

    def __str__(self) -> str:
        return f"{self.name}, {self.office}"


@pghistory.track()
class Clause(TimestampedModel):
    """A numbered section of an agreement, e.g. "3.2 Joint research"."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="clauses")
    number = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order within the agreement.")
    is_illustrative = models.BooleanField(default=False, help_text=ILLUSTRATIVE_HELP)

    class Meta:
        ordering = ["agreement", "position", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message="This agreement already has a clause with this number.",
            ),
            models.CheckConstraint(
                condition=~Q(number=""), name="%(app_label)s_%(class)s_number_not_blank"
            ),
        ]
        indexes = [
            GinIndex(search_document(*CLAUSE_SEARCH_FIELDS), name="mou_clause_search_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


# The RAG inputs kept on each commitment by database triggers (see mou/migrations/0003):
# not part of its history, and never written by the application.
RAG_INPUT_FIELDS = (
    "next_due_on",
    "late_from",
    "due_soon_from",
    "open_milestone_count",
    "last_update_at",
)


@pghistory.track(exclude=list(RAG_INPUT_FIELDS))
class Commitment(TimestampedModel):
    """One obligation under a clause: what is owed, by whom, and by when."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="commitments")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="commitments")
    reference = models.CharField(max_length=30, help_text="e.g. 2.1-a; unique in the agreement.")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owed_by = models.ForeignKey(
        Institute,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments_owed",
        help_text="Leave blank when the participants owe it jointly.",
    )
    lead_institute = models.ForeignKey(
        Institute, on_delete=models.PROTECT, related_name="commitments_led"
    )
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="commitments")
    theme = models.CharField(max_length=120, blank=True)
    start_on = models.DateField(null=True, blank=True)
    target_on = models.DateField(null=True, blank=True)
    recurrence = models.CharField(
        max_length=20, choices=Recurrence.choices, default=Recurrence.NONE, blank=True
    )
    recurrence_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many occurrences; blank: until the agreement ends."
    )
    status = models.CharField(
        max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.NOT_STARTED
    )
    status_reason = models.TextField(blank=True)
    is_illustrative = models.BooleanField(default=False, help_text=ILLUSTRATIVE_HELP)
    notes = models.TextField(blank=True)

    # Inputs of RAG, kept by the database in the same transaction as every change to the
    # commitment, its milestones, its progress updates or a milestone owner's time zone
    # (triggers in migration 0003; ``manage.py check_rag_inputs`` verifies them). Whatever
    # the application writes here is replaced by the trigger.
    next_due_on = models.DateField(
        null=True, blank=True, editable=False, help_text="Earliest due date of an open milestone."
    )
    late_from = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="First instant at which an open milestone is late: the start of the day "
        "after its due date in its owner's time zone, the earliest over open milestones.",
    )
    due_soon_from = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="First instant at which an open milestone is due within "
        "RAG_DUE_SOON_DAYS days in its owner's time zone, the earliest over open milestones.",
    )
    open_milestone_count = models.PositiveIntegerField(default=0, editable=False)
    last_update_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the latest progress update was posted.",
    )

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "reference"],
                name="%(app_label)s_%(class)s_unique_reference",
                violation_error_message="This agreement already has a commitment with this "
                "reference.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CommitmentStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(target_on__isnull=True)
                | Q(start_on__isnull=True)
                | Q(target_on__gte=F("start_on")),
                name="%(app_label)s_%(class)s_target_after_start",
                violation_error_message="The target date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=~Q(status=CommitmentStatus.WITHDRAWN) | ~Q(status_reason=""),
                name="%(app_label)s_%(class)s_withdrawn_has_reason",
                violation_error_message="Give a reason for withdrawing.",
            ),
            models.CheckConstraint(
                condition=Q(recurrence_count__isnull=True) | Q(recurrence_count__gte=1),
                name="%(app_label)s_%(class)s_recurrence_count_positive",
            ),
            models.CheckConstraint(
                condition=~Q(recurrence="") | Q(recurrence_count__isnull=True),
                name="%(app_label)s_%(class)s_count_needs_recurrence",
                violation_error_message="A count of occurrences needs a recurrence.",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="mou_commitment_status_idx"),
            models.Index(fields=["owner", "status"], name="mou_commitment_owner_idx"),
            models.Index(fields=["lead_institute", "status"], name="mou_commitment_lead_idx"),
            GinIndex(search_document(*COMMITMENT_SEARCH_FIELDS), name="mou_commitment_search_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_joint(self) -> bool:
        return self.owed_by_id is None


@pghistory.track()
class Milestone(TimestampedModel):
    """A dated deliverable of a commitment; late when not done by the end of its due date
    in its owner's own time zone."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    due_on = models.DateField()
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="milestones")
    status = models.CharField(
        max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.OPEN
    )
    done_on = models.DateField(null=True, blank=True)
    evidence_url = models.URLField(blank=True, max_length=500)
    status_reason = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="Occurrence number in a recurring commitment's series."
    )
    is_illustrative = models.BooleanField(default=False, help_text=ILLUSTRATIVE_HELP)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MilestoneStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=MilestoneStatus.DONE, done_on__isnull=False)
                | (~Q(status=MilestoneStatus.DONE) & Q(done_on__isnull=True)),
                name="%(app_label)s_%(class)s_done_on_iff_done",
                violation_error_message="A done milestone needs a done date, and only it.",
            ),
            models.CheckConstraint(
                condition=~Q(status=MilestoneStatus.CANCELLED) | ~Q(status_reason=""),
                name="%(app_label)s_%(class)s_cancelled_has_reason",
                violation_error_message="Give a reason for cancelling.",
            ),
            models.UniqueConstraint(
                fields=["commitment", "sequence"],
                name="%(app_label)s_%(class)s_unique_occurrence",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="mou_milestone_status_due_idx"),
            # The API's and the list's default order: a page without sorting every row.
            models.Index(fields=["due_on", "id"], name="mou_milestone_due_idx"),
            models.Index(fields=["owner", "status", "due_on"], name="mou_milestone_owner_idx"),
            models.Index(fields=["commitment", "status", "due_on"], name="mou_milestone_cmt_idx"),
            GinIndex(search_document(*MILESTONE_SEARCH_FIELDS), name="mou_milestone_search_idx"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track()
class ProgressUpdate(TimestampedModel):
    """A dated note on a commitment by a person, with evidence and the status it set."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress_updates"
    )
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="progress_updates")
    posted_at = models.DateTimeField(default=timezone.now)
    note = models.TextField()
    evidence_url = models.URLField(blank=True, max_length=500)
    status_set = models.CharField(max_length=20, choices=CommitmentStatus.choices, blank=True)

    class Meta:
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(note=""), name="%(app_label)s_%(class)s_note_not_blank"
            ),
        ]
        indexes = [
            models.Index(fields=["commitment", "-posted_at"], name="mou_update_cmt_posted_idx"),
        ]

    def __str__(self) -> str:
        return f"Update on {self.commitment.reference} at {self.posted_at:%Y-%m-%d}"
