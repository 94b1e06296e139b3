"""Pages: My reminders (with dismiss), the administrators' outbox (with retry), the policy."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, PermissionDenied
from core.views_helpers import get_or_404
from institutes.roles import is_administrator, person_of
from reminders import selectors, services
from reminders.choices import DELIVERY_OPEN, DELIVERY_RETRYABLE, DeliveryStatus
from reminders.policy import current_policy, describe

PAGE_SIZE = 50


def my_reminders_context(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's reminders, paged: for this page and the dashboard's panel."""
    person = person_of(request.user)
    page = None
    if person is not None:
        page = Paginator(selectors.open_reminders_for(person=person), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return {"person": person, "page": page}


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "reminders/mine.html", my_reminders_context(request))


@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        get_or_404(lambda: services.reminder_dismiss(reminder_id=pk, actor=request.user))
    except PermissionDenied as exc:
        raise HttpForbidden(str(exc)) from exc
    if request.htmx:
        # Re-render the list in place; the header count is refreshed out of band.
        return render(
            request, "reminders/_mine_list.html", my_reminders_context(request) | {"oob": True}
        )
    messages.success(request, "Reminder dismissed.")
    return redirect("reminders:mine")


def _ensure_administrator(request: HttpRequest) -> None:
    if not is_administrator(request.user):
        raise HttpForbidden("Only administrators can see the outbox.")


# The outbox's sections, most urgent first, and the words of its counts.
OUTBOX_SECTIONS = (
    (DeliveryStatus.FAILED, "Failed"),
    (DeliveryStatus.PENDING, "Waiting to be e-mailed"),
    (DeliveryStatus.SENT, "Recently e-mailed"),
)
OUTBOX_COUNT_LABELS = (
    (DeliveryStatus.PENDING, "Waiting"),
    (DeliveryStatus.SENT, "E-mailed"),
    (DeliveryStatus.FAILED, "Failed"),
    (DeliveryStatus.SKIPPED, "Not e-mailed (opted out, dismissed or closed)"),
)


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    _ensure_administrator(request)
    sections = [
        {
            "status": status,
            "label": label,
            "rows": selectors.outbox(status=status),
            "delivered": status == DeliveryStatus.SENT,
            "waiting": status in DELIVERY_OPEN,
            "retryable": status in DELIVERY_RETRYABLE,
        }
        for status, label in OUTBOX_SECTIONS
    ]
    counts = selectors.outbox_counts()
    return render(
        request,
        "reminders/outbox.html",
        {
            "sections": sections,
            "counts": [(label, counts[status]) for status, label in OUTBOX_COUNT_LABELS],
            "limit": selectors.OUTBOX_PAGE,
        },
    )


@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_administrator(request)
    try:
        get_or_404(lambda: services.reminder_retry(reminder_id=pk, actor=request.user))
    except DomainError as exc:
        messages.error(request, " ".join(exc.errors.values()))
    else:
        messages.success(request, "The reminder will be e-mailed at the next delivery.")
    return redirect("reminders:outbox")


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    current = current_policy()
    return render(request, "reminders/policy.html", {"policy": current, "rows": describe(current)})
