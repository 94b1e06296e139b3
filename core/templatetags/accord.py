"""Template helpers: GOV.UK classes on form widgets, RAG and status tags, query strings."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.http import QueryDict
from django.utils.html import format_html

register = template.Library()

_CLASSES = {
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.CheckboxInput: "govuk-checkboxes__input",
}


@register.filter
def govuk(field: forms.BoundField) -> str:
    """Render a bound field's widget with the GOV.UK class and error/hint attributes."""
    widget = field.field.widget
    css = next((c for t, c in _CLASSES.items() if isinstance(widget, t)), "govuk-input")
    if field.errors:
        css += {
            "govuk-select": " govuk-select--error",
            "govuk-textarea": " govuk-textarea--error",
        }.get(css, " govuk-input--error")
    attrs: dict[str, Any] = {"class": css}
    described = []
    if field.help_text:
        described.append(f"{field.id_for_label}-hint")
    if field.errors:
        described.append(f"{field.id_for_label}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


RAG_CLASSES = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--orange",
    "green": "govuk-tag--green",
    "grey": "govuk-tag--grey",
}


@register.simple_tag
def rag_tag(value: str) -> str:
    """A RAG tag that says its colour in words (never colour alone)."""
    if not value:
        return ""
    return format_html(
        '<strong class="govuk-tag {} accord-rag" data-rag="{}">{}</strong>',
        RAG_CLASSES.get(value, ""),
        value,
        value.capitalize(),
    )


STATUS_CLASSES = {
    "not_started": "govuk-tag--grey",
    "on_track": "govuk-tag--green",
    "at_risk": "govuk-tag--orange",
    "off_track": "govuk-tag--red",
    "completed": "govuk-tag--blue",
    "withdrawn": "govuk-tag--grey",
    "open": "govuk-tag--light-blue",
    "done": "govuk-tag--green",
    "cancelled": "govuk-tag--grey",
    "draft": "govuk-tag--grey",
    "in_force": "govuk-tag--green",
    "under_review": "govuk-tag--yellow",
    "expired": "govuk-tag--grey",
    "terminated": "govuk-tag--red",
}


@register.simple_tag
def status_tag(value: str, label: str) -> str:
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>', STATUS_CLASSES.get(value, ""), label
    )


@register.simple_tag
def illustrative_tag(flag: bool) -> str:
    if not flag:
        return ""
    return format_html(
        '<strong class="govuk-tag accord-tag-illustrative" title="{}">Illustrative</strong>',
        "Not from a public source: shown for demonstration only.",
    )


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for sort links, exports)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def lookup(mapping: dict[str, Any] | None, key: str) -> Any:
    """``{{ counts|lookup:"red" }}``: a dict value by key, 0 when missing."""
    return (mapping or {}).get(key, 0)


# Filters reached by following a link (e.g. from a clause or a commitment) rather than
# chosen in the filter panel: kept as hidden inputs so "Apply filters" preserves them.
LINK_ONLY_FILTERS = frozenset({"clause", "commitment"})


@register.filter
def link_only(name: str) -> bool:
    return name in LINK_ONLY_FILTERS


@register.filter
def first_value(value: Any) -> Any:
    """A bound field's value; the first one when the widget gives a list."""
    if isinstance(value, list | tuple):
        return value[0] if value else ""
    return value
