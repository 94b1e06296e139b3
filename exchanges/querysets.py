from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q

from exchanges.choices import SecondmentStatus


class SecondmentQuerySet(models.QuerySet):
    def visible_to(self, user: object) -> SecondmentQuerySet:
        """Every signed-in user sees every secondment (releasability will narrow this)."""
        return self

    def holding_dates(self) -> SecondmentQuerySet:
        """Secondments that occupy their person's time (all but cancelled ones)."""
        return self.exclude(status=SecondmentStatus.CANCELLED)

    def overlapping(self, *, start: date, end: date) -> SecondmentQuerySet:
        """Secondments whose occupied days (actual where known, else planned) meet
        ``start``–``end`` inclusive."""
        return self.annotate_occupied().filter(occupied_start__lte=end, occupied_end__gte=start)

    def in_year(self, year: int) -> SecondmentQuerySet:
        return self.overlapping(start=date(year, 1, 1), end=date(year, 12, 31))

    def annotate_occupied(self) -> SecondmentQuerySet:
        from django.db.models.functions import Coalesce

        return self.annotate(
            occupied_start=Coalesce("actual_start_on", "planned_start_on"),
            occupied_end=Coalesce("actual_end_on", "planned_end_on"),
        )

    def involving(self, institute_id: int) -> SecondmentQuerySet:
        return self.filter(Q(home_institute_id=institute_id) | Q(host_institute_id=institute_id))

    def for_list(self) -> SecondmentQuerySet:
        return self.select_related("agreement", "person", "home_institute", "host_institute")
