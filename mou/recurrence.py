"""The schedule of a recurring commitment's milestones.

Occurrence *n* (counting from 1) falls ``(n - 1) × interval`` after the anchor date, always
computed from the anchor, never from when the previous one was done: an annual dialogue
anchored on 31 March stays on 31 March (or the month's last day) however late one year's
dialogue happened.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from core.services import LATEST_YEAR as LAST_YEAR
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
    """The due date of occurrence ``sequence``, or None when the series has ended by then.

    A series always ends: at ``count`` occurrences, at the agreement's expiry, and at the
    end of ``LAST_YEAR`` whatever the anchor (so that no date can overflow).
    """
    if not recurrence or sequence < 1 or (count is not None and sequence > count):
        return None
    if anchor.year > LAST_YEAR:
        return None
    months = RECURRENCE_MONTHS.get(recurrence)
    if months is None:
        return None
    # Past the last year no occurrence is wanted: stop before the arithmetic could overflow.
    if anchor.year + (months * (sequence - 1)) // 12 > LAST_YEAR:
        return None
    due = occurrence_date(anchor, recurrence, sequence)
    if due.year > LAST_YEAR or (ends_on is not None and due > ends_on):
        return None
    return due
