"""The search page: one box, results grouped by kind of record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.views_helpers import paginate
from search.selectors import MAX_QUERY_LENGTH, commitment_match_reasons, search_register

# (key, heading); the order in which the groups are shown.
KINDS = [
    ("commitments", "Commitments"),
    ("milestones", "Milestones"),
    ("agreements", "Agreements"),
    ("clauses", "Clauses"),
    ("people", "People"),
    ("institutes", "Institutes"),
]
PER_GROUP = 10
COUNT_CAP = 1000


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search the register",
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        help_text="Words from a title, reference, note, clause or milestone, or the name of "
        "an owner or institute (for example DSIT).",
        error_messages={
            "required": "Enter words to search for.",
            "max_length": f"Enter at most {MAX_QUERY_LENGTH} characters "
            "(you entered %(show_value)d).",
        },
    )
    kind = forms.ChoiceField(
        label="Show only",
        required=False,
        choices=[("", "Every kind"), *KINDS],
        error_messages={"invalid_choice": "Choose one of the kinds listed."},
    )


def search_page(request: HttpRequest) -> HttpResponse:
    # The page opens with an empty box; an empty search after that is an error.
    form = SearchForm(request.GET if "q" in request.GET else None)
    context: dict[str, Any] = {"form": form, "groups": []}
    if not form.is_bound:
        return render(request, "search/results.html", context)
    if not form.is_valid():
        return render(request, "search/results.html", context, status=400)
    text, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    results = search_register(user=request.user, text=text)
    for key, heading in KINDS:
        if kind and key != kind:
            continue
        queryset = getattr(results, key)
        if kind:
            group = {"key": key, "heading": heading, **paginate(request, queryset)}
            group["count"] = group["page_obj"].paginator.count
        else:
            # Two queries a group, whatever it finds: its first rows, and a count that stops
            # at COUNT_CAP (counting every match of a common word would read them all).
            count = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
            group = {
                "key": key,
                "heading": heading,
                "rows": list(queryset[:PER_GROUP]),
                "count": min(count, COUNT_CAP),
                "more_than": count > COUNT_CAP,
            }
        if key == "commitments":
            reasons = commitment_match_reasons(
                commitment_ids=[c.pk for c in group["rows"]], text=text
            )
            for commitment in group["rows"]:
                commitment.found_by = reasons.get(commitment.pk, [])
        context["groups"].append(group)
    context.update(
        text=text,
        kind=kind,
        total=sum(g["count"] for g in context["groups"]),
        more_than=any(g.get("more_than") for g in context["groups"]),
    )
    return render(request, "search/results.html", context)
