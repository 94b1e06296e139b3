"""Pages of the staff exchanges: parse input, call a selector or a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.exports import export_response
from core.forms import add_domain_errors
from core.views_helpers import get_or_404, paginate, report_save
from exchanges import rules, selectors, services
from exchanges.choices import (
    SECONDMENT_DETAILS_EDITABLE_IN,
    SECONDMENT_TRANSITIONS,
    SecondmentStatus,
    Side,
)
from exchanges.filters import SecondmentFilter
from exchanges.forms import (
    FiguresForm,
    SecondmentActionForm,
    SecondmentCancelForm,
    SecondmentForm,
)
from exchanges.models import Secondment
from exchanges.permissions import (
    can_create,
    can_edit_secondment,
    secondment_fields_editable,
    sides_user_may_approve,
)
from exchanges.tables import EXPORT_COLUMNS, SCREEN_COLUMNS


def secondment_list(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        rows = selectors.secondment_export_rows(user=request.user, filters=request.GET)
        return export_response(rows, EXPORT_COLUMNS, fmt=fmt, filename="secondments")
    secondments = selectors.secondment_list(user=request.user, filters=request.GET)
    return render(
        request,
        "exchanges/secondment_list.html",
        {
            "filter": SecondmentFilter(request.GET or None),
            "columns": [heading for heading, _ in SCREEN_COLUMNS],
            "can_create": can_create(request.user),
            **paginate(request, secondments),
        },
    )


def _action_context(request: HttpRequest, secondment: Secondment) -> dict[str, Any]:
    allowed = SECONDMENT_TRANSITIONS[secondment.status]
    can_edit = can_edit_secondment(request.user, secondment)
    approvable = [
        {
            "side": side,
            "label": Side(side).label,
            "institute": getattr(secondment, f"{side}_institute"),
        }
        for side in (Side.HOME, Side.HOST)
        if side in sides_user_may_approve(request.user, secondment)
        and secondment.status == SecondmentStatus.PROPOSED
        and getattr(secondment, f"{side}_approved_at") is None
    ]
    return {
        "can_edit": can_edit and secondment.status in SECONDMENT_DETAILS_EDITABLE_IN,
        "approvable": approvable,
        "can_activate": can_edit and SecondmentStatus.ACTIVE in allowed,
        "can_complete": can_edit and SecondmentStatus.COMPLETED in allowed,
        "can_cancel": can_edit and SecondmentStatus.CANCELLED in allowed,
        "readiness": rules.activation_problems(secondment)
        if secondment.status in {SecondmentStatus.PROPOSED, SecondmentStatus.APPROVED}
        else {},
    }


def secondment_detail(
    request: HttpRequest,
    pk: int,
    *,
    action_form: SecondmentActionForm | None = None,
    failed_action: str = "",
) -> HttpResponse:
    secondment = get_or_404(lambda: selectors.secondment_get(user=request.user, pk=pk))
    return render(
        request,
        "exchanges/secondment_detail.html",
        {
            "secondment": secondment,
            "history": selectors.secondment_history(secondment=secondment),
            "action_form": action_form or SecondmentActionForm(),
            "cancel_form": action_form if failed_action == "cancel" else SecondmentCancelForm(),
            "failed_action": failed_action,
            **_action_context(request, secondment),
        },
        status=400 if action_form is not None else 200,
    )


def secondment_create(request: HttpRequest) -> HttpResponse:
    if not can_create(request.user):
        raise PermissionDenied
    form = SecondmentForm(request.POST or None, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        try:
            secondment = services.secondment_create(
                actor=request.user,
                commitments=form.cleaned_data["commitments"],
                **form.service_fields(),
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, "Secondment logged.")
            return redirect("exchanges:secondment-detail", pk=secondment.pk)
    return render(
        request,
        "exchanges/secondment_form.html",
        {"form": form, "title": "Log a secondment"},
        status=400 if form.errors else 200,
    )


def secondment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    secondment = get_or_404(lambda: selectors.secondment_get(user=request.user, pk=pk))
    if not can_edit_secondment(request.user, secondment):
        raise PermissionDenied
    form = SecondmentForm(request.POST or None, initial=SecondmentForm.initial_from(secondment))
    form.fields["version"].required = True  # an edit must prove which copy it started from
    form.restrict_to(secondment_fields_editable(request.user, secondment))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.secondment_update(
                secondment=secondment,
                actor=request.user,
                changes=form.service_fields(),
                expected_version=form.cleaned_data["version"],
                commitments=form.cleaned_data["commitments"],
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            report_save(
                request, saved=saved, version=form.cleaned_data["version"], done="Secondment saved."
            )
            if (
                saved.approval_cleared_because
                and saved.version != secondment.version
                and (
                    (secondment.home_approved_at and not saved.home_approved_at)
                    or (secondment.host_approved_at and not saved.host_approved_at)
                )
            ):
                messages.warning(request, saved.approval_cleared_because)
            return redirect("exchanges:secondment-detail", pk=secondment.pk)
    return render(
        request,
        "exchanges/secondment_form.html",
        {"form": form, "title": "Edit the secondment", "secondment": secondment},
        status=400 if form.errors else 200,
    )


ACTIONS = {"approve", "activate", "complete", "cancel"}
DONE_MESSAGES = {
    "approve": "Approval recorded.",
    "activate": "Secondment marked as started.",
    "complete": "Secondment marked as completed.",
    "cancel": "Secondment cancelled.",
}


@require_POST
def secondment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action")
    secondment = get_or_404(lambda: selectors.secondment_get(user=request.user, pk=pk))
    form_class = SecondmentCancelForm if action == "cancel" else SecondmentActionForm
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        common = {
            "secondment": secondment,
            "actor": request.user,
            "expected_version": data["version"],
        }
        try:
            if action == "approve":
                services.secondment_approve(side=data["side"] or None, **common)
            elif action == "activate":
                services.secondment_activate(on=data["on"], **common)
            elif action == "complete":
                services.secondment_complete(on=data["on"], **common)
            else:
                services.secondment_cancel(reason=data["reason"], **common)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, DONE_MESSAGES[action])
            return redirect("exchanges:secondment-detail", pk=pk)
    return secondment_detail(request, pk, action_form=form, failed_action=action)


def secondment_figures(request: HttpRequest) -> HttpResponse:
    form = FiguresForm(request.GET or None)
    agreement = year = None
    if form.is_valid():
        agreement = form.cleaned_data["agreement"]
        year = form.cleaned_data["year"]
    figures = selectors.exchange_figures(agreement=agreement, year=year)
    return render(request, "exchanges/secondment_figures.html", {"form": form, "figures": figures})


def commitment_secondments(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """An HTML snippet for the commitment's page (loaded with htmx)."""
    secondments = selectors.secondments_for_commitment(
        user=request.user, commitment_id=commitment_id
    )
    return render(
        request,
        "exchanges/_commitment_secondments.html",
        {"secondments": secondments, "commitment_id": commitment_id},
    )
