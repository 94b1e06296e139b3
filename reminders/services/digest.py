"""The digest e-mail: one message per person per local day, listing their reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from institutes.models import Person
from reminders.models import Reminder


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def subject_path(reminder: Reminder) -> str:
    """The page of the reminder's subject (or "My reminders" if that page is not there)."""
    try:
        if reminder.milestone_id:
            return reverse("mou:milestone-detail", kwargs={"pk": reminder.milestone_id})
        if reminder.agreement_id:
            return reverse("mou:agreement-detail", kwargs={"code": reminder.agreement.code})
        if reminder.secondment_id:
            return reverse("exchanges:secondment-detail", kwargs={"pk": reminder.secondment_id})
    except NoReverseMatch:
        pass
    return reverse("reminders:mine")


def message_id(recipient: Person, on: date) -> str:
    """The same Message-ID for the same person and day, so that in the rare case of a
    digest sent twice (see ``delivery``) mail systems can recognise the copy."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<reminders-{recipient.pk}-{on:%Y%m%d}@{domain}>"


def build_digest(
    *, recipient: Person, on: date, reminders: Sequence[Reminder]
) -> EmailMultiAlternatives:
    items = [{"reminder": r, "url": absolute(subject_path(r))} for r in reminders]
    context = {
        "recipient": recipient,
        "on": on,
        "items": items,
        "mine_url": absolute(reverse("reminders:mine")),
        "count": len(items),
    }
    subject = (
        f"Accord: {len(items)} reminder{'s' if len(items) != 1 else ''} for {on.day} {on:%b %Y}"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("reminders/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Message-ID": message_id(recipient, on)},
    )
    message.attach_alternative(
        render_to_string("reminders/email/digest.html", context), "text/html"
    )
    return message


def send(message: EmailMultiAlternatives) -> None:
    """Send through the default mailer; a backend that accepts nothing is a failure."""
    if mailers.default.send_messages([message]) != 1:
        raise RuntimeError("The mail backend did not accept the message.")
