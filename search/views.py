"""The search page: one box, results grouped by kind of record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.views_helpers import paginate
from search.selectors import FOUND_BY, MAX_QUERY_LENGTH, search_register

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
            # The total rides along on each row (a window over every match), so a group
            # costs one query however many it finds.
            rows = list(queryset.annotate(match_count=Window(Count("pk")))[:PER_GROUP])
            group = {"key": key, "heading": heading, "rows": rows}
            group["count"] = rows[0].match_count if rows else 0
        if key == "commitments":
            for commitment in group["rows"]:
                commitment.found_by = [
                    label
                    for n, label in enumerate(FOUND_BY)
                    if getattr(commitment, f"found_by_{n}")
                ]
        context["groups"].append(group)
    context.update(text=text, kind=kind, total=sum(g["count"] for g in context["groups"]))
    return render(request, "search/results.html", context)
