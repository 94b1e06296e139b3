"""Pages of the register: parse input, call a selector or a service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.exports import export_response
from core.forms import add_domain_errors
from core.views_helpers import get_or_404, paginate, report_save
from mou import selectors, services
from mou.choices import COMMITMENT_TRANSITIONS, RAG_RULE_HELP, CommitmentStatus
from mou.filters import AgreementFilter, CommitmentFilter, MilestoneFilter
from mou.forms import (
    AgreementCreateForm,
    AgreementEditForm,
    ClauseEditForm,
    ClauseForm,
    CommitmentCreateForm,
    CommitmentForm,
    CommitmentTransitionForm,
    CommitmentWithdrawForm,
    MilestoneAddForm,
    MilestoneCancelForm,
    MilestoneCompleteForm,
    MilestoneRenameForm,
    MilestoneRescheduleForm,
    ProgressUpdateForm,
    SignatoryForm,
)
from mou.permissions import (
    can_add_milestone,
    can_author,
    can_create_agreement,
    can_edit_commitment,
    can_edit_milestone,
    can_post_update,
    commitment_fields_editable,
    editable_milestone_ids,
)

# --- Agreements -------------------------------------------------------------------------


def agreement_list(request: HttpRequest) -> HttpResponse:
    filterset = AgreementFilter(request.GET or None)
    agreements = selectors.agreement_list(user=request.user, filters=request.GET)
    return render(
        request,
        "mou/agreement_list.html",
        {
            "filter": filterset,
            "can_create": can_create_agreement(request.user),
            **paginate(request, agreements),
        },
    )


def agreement_detail(request: HttpRequest, code: str) -> HttpResponse:
    agreement = get_or_404(lambda: selectors.agreement_detail(user=request.user, code=code))
    commitments = selectors.commitment_list(user=request.user, filters={"agreement": code})
    return render(
        request,
        "mou/agreement_detail.html",
        {
            "agreement": agreement,
            "rag_help": RAG_RULE_HELP,
            "can_edit_agreement": can_author(request.user, agreement, "agreement"),
            "can_add_clause": can_author(request.user, agreement, "clause"),
            "can_add_commitment": can_author(request.user, agreement, "commitment"),
            **paginate(request, commitments),
        },
    )


def _author_or_403(request: HttpRequest, agreement: Any, what: str) -> None:
    if not can_author(request.user, agreement, what):
        raise PermissionDenied


def _submit(
    request: HttpRequest, form: Any, save: Callable[[dict[str, Any]], Any], *, message: str
) -> Any:
    """Run a posted, valid form through its service and say what was done. Returns the saved
    record, or None when nothing was posted or the form or the service refused it (the
    service's errors are then on the form, next to the fields they name)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except DomainError as error:
        add_domain_errors(form, error)
        return None
    report_save(request, saved=saved, version=form.cleaned_data.get("version"), done=message)
    return saved


def _render_form(
    request: HttpRequest, *, form: Any, title: str, caption: str, back: str, button: str
) -> HttpResponse:
    """One authoring form on its own page, in the GOV.UK pattern."""
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "mou/authoring_form.html",
        {"form": form, "title": title, "caption": caption, "back_url": back, "button": button},
        status=status,
    )


def agreement_create(request: HttpRequest) -> HttpResponse:
    if not can_create_agreement(request.user):
        raise PermissionDenied
    form = AgreementCreateForm(request.POST or None)
    agreement = _submit(
        request,
        form,
        lambda d: services.agreement_create(
            actor=request.user, code=d["code"], parties=list(d["parties"]), **form.details()
        ),
        message="Agreement created.",
    )
    if agreement:
        return redirect("mou:agreement-detail", code=agreement.code)
    return _render_form(
        request,
        form=form,
        title="Create an agreement",
        caption="Agreements",
        back="/agreements/",
        button="Create agreement",
    )


def agreement_edit(request: HttpRequest, code: str) -> HttpResponse:
    agreement = get_or_404(lambda: selectors.agreement_detail(user=request.user, code=code))
    _author_or_403(request, agreement, "agreement")
    form = AgreementEditForm(request.POST or None, agreement=agreement)
    saved = _submit(
        request,
        form,
        lambda d: services.agreement_update(
            agreement=agreement,
            actor=request.user,
            changes=form.details(),
            expected_version=d["version"],
        ),
        message="Agreement saved.",
    )
    if saved:
        return redirect("mou:agreement-detail", code=code)
    return _render_form(
        request,
        form=form,
        title="Edit the agreement's details",
        caption=agreement.title,
        back=f"/agreements/{code}/",
        button="Save",
    )


def signatory_create(request: HttpRequest, code: str) -> HttpResponse:
    agreement = get_or_404(lambda: selectors.agreement_detail(user=request.user, code=code))
    _author_or_403(request, agreement, "agreement")
    form = SignatoryForm(request.POST or None, agreement=agreement)
    saved = _submit(
        request,
        form,
        lambda d: services.signatory_add(agreement=agreement, actor=request.user, **d),
        message="Signatory added.",
    )
    if saved:
        return redirect("mou:agreement-detail", code=code)
    return _render_form(
        request,
        form=form,
        title="Add a signatory",
        caption=agreement.title,
        back=f"/agreements/{code}/",
        button="Add signatory",
    )


def clause_create(request: HttpRequest, code: str) -> HttpResponse:
    agreement = get_or_404(lambda: selectors.agreement_detail(user=request.user, code=code))
    _author_or_403(request, agreement, "clause")
    form = ClauseForm(request.POST or None)
    clause = _submit(
        request,
        form,
        lambda d: services.clause_create(agreement=agreement, actor=request.user, **form.values()),
        message="Clause added.",
    )
    if clause:
        return redirect(f"/agreements/{code}/#clause-{clause.pk}")
    return _render_form(
        request,
        form=form,
        title="Add a clause",
        caption=agreement.title,
        back=f"/agreements/{code}/#clauses",
        button="Add clause",
    )


def clause_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agreement = get_or_404(lambda: selectors.agreement_detail(user=request.user, code=code))
    clause = get_or_404(lambda: agreement.clauses.get(pk=pk))
    _author_or_403(request, agreement, "clause")
    form = ClauseEditForm(request.POST or None, clause=clause)
    saved = _submit(
        request,
        form,
        lambda d: services.clause_update(
            clause=clause, actor=request.user, changes=form.values(), expected_version=d["version"]
        ),
        message="Clause saved.",
    )
    if saved:
        return redirect(f"/agreements/{code}/#clause-{clause.pk}")
    return _render_form(
        request,
        form=form,
        title=f"Edit clause {clause.number}",
        caption=agreement.title,
        back=f"/agreements/{code}/#clause-{clause.pk}",
        button="Save",
    )


def commitment_create(request: HttpRequest, code: str) -> HttpResponse:
    agreement = get_or_404(lambda: selectors.agreement_detail(user=request.user, code=code))
    _author_or_403(request, agreement, "commitment")
    initial = {"clause": request.GET.get("clause")} if request.GET.get("clause") else None
    form = CommitmentCreateForm(request.POST or None, agreement=agreement, initial=initial)
    commitment = _submit(
        request,
        form,
        lambda d: services.commitment_create(agreement=agreement, actor=request.user, **d),
        message="Commitment created.",
    )
    if commitment:
        return redirect("mou:commitment-detail", pk=commitment.pk)
    return _render_form(
        request,
        form=form,
        title="Add a commitment",
        caption=agreement.title,
        back=f"/agreements/{code}/#commitments",
        button="Add commitment",
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
    transition = CommitmentTransitionForm(commitment=commitment)
    can_withdraw = CommitmentStatus.WITHDRAWN in COMMITMENT_TRANSITIONS[commitment.status]
    context = {
        "commitment": commitment,
        "rag_help": RAG_RULE_HELP,
        "can_edit": can_edit,
        "can_edit_details": bool(commitment_fields_editable(request.user, commitment)),
        "can_post_update": can_post_update(request.user, commitment),
        "can_add_milestone": can_add_milestone(request.user, commitment),
        "transition_form": transition,
        "withdraw_form": CommitmentWithdrawForm(auto_id="withdraw-%s") if can_withdraw else None,
        "can_change_status": transition.has_choices(),
        "editable_milestones": editable_milestone_ids(
            request.user, commitment, commitment.milestones.all()
        ),
        "update_form": ProgressUpdateForm(commitment=commitment),
        "milestone_form": MilestoneAddForm(commitment=commitment),
    }
    context.update(forms)
    return context


def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_or_404(lambda: selectors.commitment_detail(user=request.user, pk=pk))
    editable = commitment_fields_editable(request.user, commitment)
    if not editable:
        raise PermissionDenied
    form = CommitmentForm(request.POST or None, commitment=commitment, editable=editable)
    saved = _submit(
        request,
        form,
        lambda d: services.commitment_update(
            commitment=commitment,
            actor=request.user,
            changes=form.changes(),
            expected_version=d["version"],
        ),
        message="Commitment saved.",
    )
    if saved:
        return redirect("mou:commitment-detail", pk=pk)
    return render(request, "mou/commitment_form.html", {"commitment": commitment, "form": form})


# The forms posted from a commitment's page: (context name, form, service call, message).
COMMITMENT_PAGE_FORMS: dict[str, tuple[str, Callable[..., Any], Callable[..., Any], str]] = {
    "transition": (
        "transition_form",
        lambda request, c: CommitmentTransitionForm(request.POST, commitment=c),
        lambda request, c, d: services.commitment_transition(
            commitment=c, to=d["to"], actor=request.user, reason=d["reason"]
        ),
        "Status changed.",
    ),
    "update": (
        "update_form",
        lambda request, c: ProgressUpdateForm(request.POST, commitment=c),
        lambda request, c, d: services.progress_update_post(
            commitment=c, actor=request.user, note=d["note"], evidence_url=d["evidence_url"]
        ),
        "Progress update posted.",
    ),
    "withdraw": (
        "withdraw_form",
        lambda request, c: CommitmentWithdrawForm(request.POST, auto_id="withdraw-%s"),
        lambda request, c, d: services.commitment_transition(
            commitment=c, to=CommitmentStatus.WITHDRAWN, actor=request.user, reason=d["reason"]
        ),
        "Commitment withdrawn.",
    ),
    "milestone": (
        "milestone_form",
        lambda request, c: MilestoneAddForm(request.POST, commitment=c),
        lambda request, c, d: services.milestone_add(commitment=c, actor=request.user, **d),
        "Milestone added.",
    ),
}


def _commitment_page_post(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """Handle one of the forms on a commitment's page; on refusal, the page again with the
    errors next to that form's fields."""
    commitment = get_or_404(lambda: selectors.commitment_detail(user=request.user, pk=pk))
    name, make_form, call, message = COMMITMENT_PAGE_FORMS[which]
    form = make_form(request, commitment)
    if _submit(request, form, lambda d: call(request, commitment, d), message=message):
        anchor = "#milestones" if which == "milestone" else ""
        return redirect(f"/commitments/{pk}/{anchor}")
    context = _commitment_context(request, commitment, **{name: form})
    return render(request, "mou/commitment_detail.html", context, status=400)


@require_POST
def commitment_transition(request: HttpRequest, pk: int) -> HttpResponse:
    return _commitment_page_post(request, pk, "transition")


@require_POST
def progress_update_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _commitment_page_post(request, pk, "update")


@require_POST
def commitment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _commitment_page_post(request, pk, "withdraw")


@require_POST
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _commitment_page_post(request, pk, "milestone")


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


def milestone_rename(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_or_404(lambda: selectors.milestone_detail(user=request.user, pk=pk))
    if not can_edit_milestone(request.user, milestone):
        raise PermissionDenied
    form = MilestoneRenameForm(
        request.POST or None, initial={"title": milestone.title, "version": milestone.version}
    )
    saved = _submit(
        request,
        form,
        lambda d: services.milestone_update(
            milestone=milestone,
            actor=request.user,
            changes={"title": d["title"]},
            expected_version=d["version"],
        ),
        message="Milestone renamed.",
    )
    back = f"/commitments/{milestone.commitment_id}/#milestones"
    if saved:
        return redirect(back)
    return _render_form(
        request,
        form=form,
        title="Rename the milestone",
        caption=milestone.title,
        back=back,
        button="Rename",
    )


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
    if form_class is None or call is None:
        raise Http404("Unknown action")
    form = form_class(request.POST)
    if _submit(request, form, call, message=MILESTONE_DONE_MESSAGES[action]):
        return redirect("mou:milestone-detail", pk=pk)
    return milestone_detail(request, pk, **{f"{action}_form": form})
