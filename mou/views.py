"""Pages of the register: parse input, call a selector or a service, render."""

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
from mou import selectors, services
from mou.choices import RAG_RULE_HELP
from mou.filters import AgreementFilter, CommitmentFilter, MilestoneFilter
from mou.forms import (
    CommitmentForm,
    CommitmentTransitionForm,
    MilestoneCancelForm,
    MilestoneCompleteForm,
    MilestoneRescheduleForm,
    ProgressUpdateForm,
)
from mou.permissions import (
    can_edit_commitment,
    can_edit_milestone,
    can_post_update,
    commitment_fields_editable,
)

# --- Agreements -------------------------------------------------------------------------


def agreement_list(request: HttpRequest) -> HttpResponse:
    filterset = AgreementFilter(request.GET or None)
    agreements = selectors.agreement_list(user=request.user, filters=request.GET)
    return render(
        request,
        "mou/agreement_list.html",
        {"filter": filterset, **paginate(request, agreements)},
    )


def agreement_detail(request: HttpRequest, code: str) -> HttpResponse:
    agreement = get_or_404(lambda: selectors.agreement_detail(user=request.user, code=code))
    commitments = selectors.commitment_list(user=request.user, filters={"agreement": code})
    return render(
        request,
        "mou/agreement_detail.html",
        {"agreement": agreement, "rag_help": RAG_RULE_HELP, **paginate(request, commitments)},
    )


def agreement_history(request: HttpRequest, code: str) -> HttpResponse:
    agreement = get_or_404(lambda: selectors.agreement_detail(user=request.user, code=code))
    return render(
        request,
        "mou/history.html",
        {
            "object": agreement,
            "title": agreement.title,
            "back_url": f"/agreements/{agreement.code}/",
            "entries": selectors.record_history(agreement),
        },
    )


# --- Commitments ------------------------------------------------------------------------

COMMITMENT_COLUMNS = [
    ("Agreement", lambda c: c.agreement.code),
    ("Reference", lambda c: c.reference),
    ("Title", lambda c: c.title),
    ("Clause", lambda c: f"{c.clause.number} {c.clause.title}"),
    ("Owed by", lambda c: c.owed_by.short_name if c.owed_by else "Joint"),
    ("Lead institute", lambda c: c.lead_institute.short_name),
    ("Owner", lambda c: c.owner.name),
    ("Theme", lambda c: c.theme),
    ("Status", lambda c: c.get_status_display()),
    ("RAG", lambda c: c.rag.capitalize()),
    ("Start", lambda c: c.start_on),
    ("Target", lambda c: c.target_on),
    ("Recurrence", lambda c: c.get_recurrence_display() if c.recurrence else ""),
    ("Illustrative", lambda c: "yes" if c.is_illustrative else "no"),
]


def commitment_list(request: HttpRequest) -> HttpResponse:
    commitments = selectors.commitment_list(user=request.user, filters=request.GET)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return export_response(commitments, COMMITMENT_COLUMNS, fmt=fmt, filename="commitments")
    return render(
        request,
        "mou/commitment_list.html",
        {
            "filter": CommitmentFilter(request.GET or None),
            "rag_help": RAG_RULE_HELP,
            **paginate(request, commitments),
        },
    )


def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_or_404(lambda: selectors.commitment_detail(user=request.user, pk=pk))
    return render(request, "mou/commitment_detail.html", _commitment_context(request, commitment))


def _commitment_context(request: HttpRequest, commitment: Any, **forms: Any) -> dict[str, Any]:
    can_edit = can_edit_commitment(request.user, commitment)
    context = {
        "commitment": commitment,
        "rag_help": RAG_RULE_HELP,
        "can_edit": can_edit,
        "can_edit_details": bool(commitment_fields_editable(request.user, commitment)),
        "can_post_update": can_post_update(request.user, commitment),
        "transition_form": CommitmentTransitionForm(commitment=commitment),
        "update_form": ProgressUpdateForm(commitment=commitment),
    }
    context.update(forms)
    return context


def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_or_404(lambda: selectors.commitment_detail(user=request.user, pk=pk))
    editable = commitment_fields_editable(request.user, commitment)
    if not editable:
        raise PermissionDenied
    form = CommitmentForm(request.POST or None, commitment=commitment, editable=editable)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.commitment_update(
                commitment=commitment,
                actor=request.user,
                changes=form.changes(),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            report_save(
                request, saved=saved, version=form.cleaned_data["version"], done="Commitment saved."
            )
            return redirect("mou:commitment-detail", pk=pk)
    return render(request, "mou/commitment_form.html", {"commitment": commitment, "form": form})


@require_POST
def commitment_transition(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_or_404(lambda: selectors.commitment_detail(user=request.user, pk=pk))
    form = CommitmentTransitionForm(request.POST, commitment=commitment)
    if form.is_valid():
        try:
            services.commitment_transition(
                commitment=commitment,
                to=form.cleaned_data["to"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, "Status changed.")
            return redirect("mou:commitment-detail", pk=pk)
    context = _commitment_context(request, commitment, transition_form=form)
    return render(request, "mou/commitment_detail.html", context, status=400)


@require_POST
def progress_update_create(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_or_404(lambda: selectors.commitment_detail(user=request.user, pk=pk))
    form = ProgressUpdateForm(request.POST, commitment=commitment)
    if form.is_valid():
        try:
            services.progress_update_post(
                commitment=commitment,
                actor=request.user,
                note=form.cleaned_data["note"],
                evidence_url=form.cleaned_data["evidence_url"],
                status=form.cleaned_data["status"],
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, "Progress update posted.")
            return redirect("mou:commitment-detail", pk=pk)
    context = _commitment_context(request, commitment, update_form=form)
    return render(request, "mou/commitment_detail.html", context, status=400)


def commitment_history(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_or_404(lambda: selectors.commitment_detail(user=request.user, pk=pk))
    return render(
        request,
        "mou/history.html",
        {
            "object": commitment,
            "title": f"{commitment.reference} {commitment.title}",
            "back_url": f"/commitments/{commitment.pk}/",
            "entries": selectors.commitment_history(commitment),
        },
    )


# --- Milestones -------------------------------------------------------------------------

MILESTONE_COLUMNS = [
    ("Agreement", lambda m: m.commitment.agreement.code),
    ("Commitment", lambda m: m.commitment.reference),
    ("Milestone", lambda m: m.title),
    ("Due", lambda m: m.due_on),
    ("Owner", lambda m: m.owner.name),
    ("Owner's institute", lambda m: m.owner.institute.short_name),
    ("Status", lambda m: m.get_status_display()),
    ("Late", lambda m: "yes" if m.is_late else "no"),
    ("Done on", lambda m: m.done_on),
    ("Evidence", lambda m: m.evidence_url),
    ("Illustrative", lambda m: "yes" if m.is_illustrative else "no"),
]


def milestone_list(request: HttpRequest) -> HttpResponse:
    milestones = selectors.milestone_list(user=request.user, filters=request.GET)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return export_response(milestones, MILESTONE_COLUMNS, fmt=fmt, filename="milestones")
    return render(
        request,
        "mou/milestone_list.html",
        {"filter": MilestoneFilter(request.GET or None), **paginate(request, milestones)},
    )


def milestone_detail(request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
    milestone = get_or_404(lambda: selectors.milestone_detail(user=request.user, pk=pk))
    context = {
        "milestone": milestone,
        "can_edit": can_edit_milestone(request.user, milestone),
        "complete_form": MilestoneCompleteForm(),
        "reschedule_form": MilestoneRescheduleForm(
            initial={"due_on": milestone.due_on, "version": milestone.version}
        ),
        "cancel_form": MilestoneCancelForm(),
        "entries": selectors.record_history(milestone),
    }
    context.update(forms)
    return render(request, "mou/milestone_detail.html", context, status=400 if forms else 200)


MILESTONE_DONE_MESSAGES = {
    "complete": "Milestone marked as done.",
    "reschedule": "Milestone rescheduled.",
    "cancel": "Milestone cancelled.",
}


@require_POST
def milestone_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    milestone = get_or_404(lambda: selectors.milestone_detail(user=request.user, pk=pk))
    form_class, call = {
        "complete": (
            MilestoneCompleteForm,
            lambda d: services.milestone_complete(
                milestone=milestone,
                actor=request.user,
                done_on=d["done_on"],
                evidence_url=d["evidence_url"],
            ),
        ),
        "reschedule": (
            MilestoneRescheduleForm,
            lambda d: services.milestone_reschedule(
                milestone=milestone,
                actor=request.user,
                due_on=d["due_on"],
                reason=d["reason"],
                expected_version=d["version"],
            ),
        ),
        "cancel": (
            MilestoneCancelForm,
            lambda d: services.milestone_cancel(
                milestone=milestone, actor=request.user, reason=d["reason"]
            ),
        ),
    }.get(action, (None, None))
    if form_class is None:
        raise Http404("Unknown action")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            saved = call(form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            version = form.cleaned_data.get("version")
            report_save(request, saved=saved, version=version, done=MILESTONE_DONE_MESSAGES[action])
            return redirect("mou:milestone-detail", pk=pk)
    return milestone_detail(request, pk, **{f"{action}_form": form})
