from __future__ import annotations

import zoneinfo

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower

from core.models import TimestampedModel
from core.search import search_document
from core.validators import validate_time_zone

# The fields the register's search reads (see core.search).
INSTITUTE_SEARCH_FIELDS = ("name", "short_name", "parent_department")
PERSON_SEARCH_FIELDS = ("name",)


@pghistory.track()
class Institute(TimestampedModel):
    """A party to MoUs, e.g. the UK AI Security Institute."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, unique=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. GB or AU.")
    parent_department = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^[A-Z]{2}$"),
                name="%(app_label)s_%(class)s_country_iso",
                violation_error_message="Country must be a two-letter ISO code such as GB.",
            ),
        ]
        indexes = [
            GinIndex(search_document(*INSTITUTE_SEARCH_FIELDS), name="institute_search_idx"),
        ]

    def __str__(self) -> str:
        return self.short_name


@pghistory.track()
class Person(TimestampedModel):
    """Someone at an institute; may own commitments and milestones and have a login."""

    institute = models.ForeignKey(Institute, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    job_title = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="IANA name; defaults to the institute's time zone.",
    )
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    is_contact = models.BooleanField(
        default=False, help_text="A point of contact for the institute; told of escalations."
    )
    email_reminders = models.BooleanField(
        default=True, help_text="Send reminders by e-mail (they always show in the app)."
    )
    is_illustrative = models.BooleanField(
        default=False, help_text="Demo data not taken from a public source."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="%(app_label)s_%(class)s_unique_email"),
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_manager",
            ),
        ]
        indexes = [
            GinIndex(search_document(*PERSON_SEARCH_FIELDS), name="person_search_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)
