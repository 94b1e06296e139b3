"""The schedule of a recurring commitment's milestones.

Occurrence *n* (counting from 1) falls ``(n - 1) × interval`` after the anchor date, always
computed from the anchor, never from when the previous one was done: an annual dialogue
anchored on 31 March stays on 31 March (or the month's last day) however late one year's
dialogue happened.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from mou.choices import RECURRENCE_MONTHS


def occurrence_date(anchor: date, recurrence: str, sequence: int) -> date:
    if sequence < 1:
        raise ValueError("Occurrences are numbered from 1.")
    months = RECURRENCE_MONTHS[recurrence]
    return anchor + relativedelta(months=months * (sequence - 1))


def occurrence_in_series(
    *,
    anchor: date,
    recurrence: str,
    sequence: int,
    count: int | None,
    ends_on: date | None,
) -> date | None:
    """The due date of occurrence ``sequence``, or None when the series has ended by then."""
    if not recurrence or (count is not None and sequence > count):
        return None
    due = occurrence_date(anchor, recurrence, sequence)
    if ends_on is not None and due > ends_on:
        return None
    return due
