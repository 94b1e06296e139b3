from __future__ import annotations

from datetime import date

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce

from core.models import TimestampedModel
from exchanges.choices import (
    SecondmentStatus,
    VettingLevel,
    country_label,
    direction_label,
)
from exchanges.querysets import SecondmentQuerySet
from institutes.models import Institute, Person
from mou.models import Agreement, Commitment

ILLUSTRATIVE_HELP = "Not taken from a public source: shown to users as illustrative."


def occupied_range() -> Func:
    """The days a secondment takes of its person's time, as a PostgreSQL daterange:
    the actual dates where known, else the planned ones, both ends inclusive."""
    return Func(
        Coalesce(F("actual_start_on"), F("planned_start_on")),
        Coalesce(F("actual_end_on"), F("planned_end_on")),
        Value("[]"),
        function="daterange",
        output_field=DateRangeField(),
    )


@pghistory.track()
class Secondment(TimestampedModel):
    """A person from a home institute hosted by another party to the same agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="secondments")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="secondments", verbose_name="secondee"
    )
    home_institute = models.ForeignKey(
        Institute, on_delete=models.PROTECT, related_name="secondments_out"
    )
    host_institute = models.ForeignKey(
        Institute, on_delete=models.PROTECT, related_name="secondments_in"
    )
    role = models.CharField("role or project", max_length=300)
    planned_start_on = models.DateField("planned start")
    planned_end_on = models.DateField("planned end")
    actual_start_on = models.DateField("actual start", null=True, blank=True)
    actual_end_on = models.DateField("actual end", null=True, blank=True)
    commitments = models.ManyToManyField(
        Commitment,
        through="SecondmentCommitment",
        blank=True,
        related_name="secondments",
        help_text="The commitments of the same agreement that this secondment delivers.",
    )
    status = models.CharField(
        max_length=20, choices=SecondmentStatus.choices, default=SecondmentStatus.PROPOSED
    )
    home_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="home approval by",
    )
    home_approved_at = models.DateTimeField("home approval at", null=True, blank=True)
    host_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="host approval by",
    )
    host_approved_at = models.DateTimeField("host approval at", null=True, blank=True)
    # When a change cleared a side's approval, and why: shown on the page until that side
    # approves again, and turned into a reminder for that side's coordinators.
    home_approval_cleared_at = models.DateTimeField(
        "home approval cleared at", null=True, blank=True
    )
    host_approval_cleared_at = models.DateTimeField(
        "host approval cleared at", null=True, blank=True
    )
    approval_cleared_because = models.TextField("approval cleared because", blank=True)
    cancellation_reason = models.TextField(blank=True)
    # What the secondee needs before starting.
    vetting_required_home = models.PositiveSmallIntegerField(
        "vetting the home side requires", choices=VettingLevel.choices, default=VettingLevel.NONE
    )
    vetting_required_host = models.PositiveSmallIntegerField(
        "vetting the host side requires", choices=VettingLevel.choices, default=VettingLevel.NONE
    )
    vetting_held = models.PositiveSmallIntegerField(
        "vetting the secondee holds", choices=VettingLevel.choices, default=VettingLevel.NONE
    )
    vetting_granted_on = models.DateField("vetting granted", null=True, blank=True)
    vetting_expires_on = models.DateField("vetting expires", null=True, blank=True)
    undertaking_signed_on = models.DateField(
        "confidentiality and IP undertaking signed", null=True, blank=True
    )
    access_granted_on = models.DateField("host-side access granted", null=True, blank=True)
    access_expires_on = models.DateField(
        "host-side access expires",
        null=True,
        blank=True,
        help_text="Leave blank when access lasts for the whole secondment.",
    )
    notes = models.TextField(blank=True)
    is_illustrative = models.BooleanField(default=False, help_text=ILLUSTRATIVE_HELP)

    objects = SecondmentQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_start_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SecondmentStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(home_institute=F("host_institute")),
                name="%(app_label)s_%(class)s_home_not_host",
                violation_error_message="The host institute must differ from the home institute.",
            ),
            models.CheckConstraint(
                condition=Q(planned_end_on__gte=F("planned_start_on")),
                name="%(app_label)s_%(class)s_planned_end_after_start",
                violation_error_message="The planned end cannot be before the planned start.",
            ),
            models.CheckConstraint(
                condition=Q(actual_end_on__isnull=True)
                | Q(actual_start_on__isnull=True)
                | Q(actual_end_on__gte=F("actual_start_on")),
                name="%(app_label)s_%(class)s_actual_end_after_start",
                violation_error_message="The actual end cannot be before the actual start.",
            ),
            models.CheckConstraint(
                condition=~Q(status=SecondmentStatus.CANCELLED) | ~Q(cancellation_reason=""),
                name="%(app_label)s_%(class)s_cancelled_has_reason",
                violation_error_message="Give a reason for cancelling.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[SecondmentStatus.PROPOSED, SecondmentStatus.CANCELLED])
                | Q(home_approved_at__isnull=False, host_approved_at__isnull=False),
                name="%(app_label)s_%(class)s_approved_by_both",
                violation_error_message="Both the home and the host side must approve first.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[SecondmentStatus.ACTIVE, SecondmentStatus.COMPLETED])
                | Q(actual_start_on__isnull=False),
                name="%(app_label)s_%(class)s_started_has_start",
            ),
            models.CheckConstraint(
                condition=~Q(status=SecondmentStatus.COMPLETED) | Q(actual_end_on__isnull=False),
                name="%(app_label)s_%(class)s_completed_has_end",
            ),
            models.CheckConstraint(
                condition=Q(vetting_expires_on__isnull=True)
                | Q(vetting_granted_on__isnull=True)
                | Q(vetting_expires_on__gte=F("vetting_granted_on")),
                name="%(app_label)s_%(class)s_vetting_expires_after_granted",
                violation_error_message="The vetting cannot expire before it was granted.",
            ),
            models.CheckConstraint(
                condition=Q(access_expires_on__isnull=True)
                | Q(access_granted_on__isnull=True)
                | Q(access_expires_on__gte=F("access_granted_on")),
                name="%(app_label)s_%(class)s_access_expires_after_granted",
                violation_error_message="Access cannot expire before it was granted.",
            ),
            # One person is never on two secondments at once, even when two saves race:
            # the database refuses the second overlapping row (needs btree_gist for "=").
            ExclusionConstraint(
                name="%(app_label)s_%(class)s_no_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (occupied_range(), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status=SecondmentStatus.CANCELLED),
                violation_error_message="This person already has a secondment at that time.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "planned_start_on"], name="exch_sec_status_start_idx"),
            models.Index(fields=["agreement", "status"], name="exch_sec_agreement_idx"),
            models.Index(fields=["home_institute", "status"], name="exch_sec_home_idx"),
            models.Index(fields=["host_institute", "status"], name="exch_sec_host_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} to {self.host_institute}, {self.planned_start_on:%-d %b %Y}"

    @property
    def direction(self) -> str:
        return direction_label(self.home_institute.country, self.host_institute.country)

    @property
    def start_on(self) -> date:
        return self.actual_start_on or self.planned_start_on

    @property
    def end_on(self) -> date:
        return self.actual_end_on or self.planned_end_on

    @property
    def days(self) -> int:
        return (self.end_on - self.start_on).days + 1

    @property
    def vetting_required(self) -> int:
        return max(self.vetting_required_home, self.vetting_required_host)


@pghistory.track()
class SecondmentCommitment(models.Model):
    """A commitment that a secondment delivers; its own row so that linking and
    unlinking are kept in history like every other change."""

    secondment = models.ForeignKey(
        Secondment, on_delete=models.CASCADE, related_name="commitment_links"
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="secondment_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["secondment", "commitment"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Secondment #{self.secondment_id} delivers commitment #{self.commitment_id}"


@pghistory.track()
class ExchangeQuota(TimestampedModel):
    """What an agreement plans per year in one direction, from one country to another."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="exchange_quotas"
    )
    home_country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. GB.")
    host_country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. AU.")
    planned_exchanges_per_year = models.PositiveIntegerField(null=True, blank=True)
    planned_staff_days_per_year = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    is_illustrative = models.BooleanField(default=False, help_text=ILLUSTRATIVE_HELP)

    class Meta:
        ordering = ["agreement", "home_country", "host_country"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "home_country", "host_country"],
                name="%(app_label)s_%(class)s_unique_direction",
                violation_error_message="This agreement already plans exchanges in this direction.",
            ),
            models.CheckConstraint(
                condition=Q(home_country__regex=r"^[A-Z]{2}$")
                & Q(host_country__regex=r"^[A-Z]{2}$"),
                name="%(app_label)s_%(class)s_country_iso",
                violation_error_message="Countries are two-letter ISO codes such as GB.",
            ),
            models.CheckConstraint(
                condition=~Q(home_country=F("host_country")),
                name="%(app_label)s_%(class)s_home_not_host",
                violation_error_message="The two countries must differ.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.code}: {direction_label(self.home_country, self.host_country)}"

    @property
    def direction(self) -> str:
        return f"{country_label(self.home_country)}→{country_label(self.host_country)}"
