"""iCalendar documents of milestones, for calendar subscriptions (Outlook, Google, Apple).

Each open milestone is one all-day event whose UID is fixed by the milestone's id, so a
calendar that refreshes the feed updates the event when the milestone changes (SEQUENCE
follows the record's version) and drops it when the milestone is done or cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from mou.models import Milestone

REFRESH = dt.timedelta(hours=1)


def milestone_uid(milestone: Milestone) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "accord"
    return f"milestone-{milestone.pk}@{host}"


def _event(milestone: Milestone, *, now: dt.datetime, url: str) -> Event:
    commitment = milestone.commitment
    event = Event()
    event.add("uid", milestone_uid(milestone))
    event.add("dtstamp", now)
    event.add("last-modified", milestone.updated_at)
    event.add("sequence", milestone.version)
    event.add("dtstart", milestone.due_on)
    event.add("dtend", milestone.due_on + dt.timedelta(days=1))
    event.add("summary", f"{milestone.title} ({commitment.reference})")
    event.add(
        "description",
        "\n".join(
            [
                f"Commitment {commitment.reference}: {commitment.title}",
                f"Agreement: {commitment.agreement.title}",
                f"Owner: {milestone.owner.name} ({milestone.owner.institute.short_name})",
                *(["Illustrative: not from a public source."] if milestone.is_illustrative else []),
                url,
            ]
        ),
    )
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    event.add("class", "PRIVATE")
    return event


def milestone_calendar(name: str, milestones: Iterable[Milestone], *, now: dt.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Accord//Milestones//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    # One reverse() for the whole feed rather than one per event.
    before, _, after = reverse("mou:milestone-detail", args=[0]).rpartition("/0/")
    base = settings.SITE_URL.rstrip("/") + before
    for milestone in milestones:
        url = f"{base}/{milestone.pk}/{after}"
        calendar.add_component(_event(milestone, now=now, url=url))
    return calendar.to_ical()
