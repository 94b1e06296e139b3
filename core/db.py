"""Small SQL helpers shared by the apps."""

from __future__ import annotations

from datetime import datetime

from django.db.models import DateField, DateTimeField, Expression, F, Func, Value
from django.db.models.functions import Cast


def local_date(now: datetime, time_zone: str | Expression) -> Cast:
    """The calendar date at the instant ``now`` in a time zone held by a column (or a name).

    ``timezone(zone, timestamptz)`` is PostgreSQL's ``AT TIME ZONE``: it gives the wall-clock
    time in that zone, whose date is the local date there.
    """
    zone = F(time_zone) if isinstance(time_zone, str) else time_zone
    wall_clock = Func(
        zone, Value(now, DateTimeField()), function="timezone", output_field=DateTimeField()
    )
    return Cast(wall_clock, DateField())
