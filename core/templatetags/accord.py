"""Template helpers: GOV.UK classes on form widgets, status tags, query strings."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms, template
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from core.vocabulary import vocabulary

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


def due_words(due_on: date, today: date) -> str:
    """How far a date is from today, in words: "Due in 12 days", "Due today", "3 days late"."""
    days = (due_on - today).days
    if days == 0:
        return "Due today"
    if days == 1:
        return "Due tomorrow"
    if days > 1:
        return f"Due in {days} days"
    return f"{-days} day{'s' if days < -1 else ''} late"


@register.simple_tag
def due_tag(lifecycle: str, value: str, due_on: date | None) -> str:
    """A reminder's tag in its kind's colour, its words counted from the date itself (so
    a "due in 30 days" reminder for a milestone due in 12 days says "Due in 12 days")."""
    if due_on is None:
        return status_tag(lifecycle, value)
    return format_html(
        '<strong class="govuk-tag {} accord-tag-{}" data-{}="{}">{}</strong>',
        vocabulary(lifecycle).tag_class(value),
        lifecycle,
        lifecycle,
        value,
        due_words(due_on, timezone.localdate()),
    )


@register.simple_tag
def status_tag(lifecycle: str, value: str) -> str:
    """A value's tag, coloured and worded as its lifecycle's ``choices.py`` says.

    ``{% status_tag "commitment" c.status %}``. The tag says its value in words, so colour
    is never the only signal; ``data-<lifecycle>`` carries the value for scripts and tests.
    """
    if not value:
        return ""
    words = vocabulary(lifecycle)
    return format_html(
        '<strong class="govuk-tag {} accord-tag-{}" data-{}="{}">{}</strong>',
        words.tag_class(value),
        lifecycle,
        lifecycle,
        value,
        words.label(value),
    )


def _named_set(path: str) -> tuple[Any, str]:
    lifecycle, _, set_name = path.partition(".")
    return vocabulary(lifecycle), set_name


@register.filter
def is_in(value: str, path: str) -> bool:
    """``{% if m.status|is_in:"milestone.open" %}``: whether a value is in a named set."""
    words, set_name = _named_set(path)
    return value in words.members(set_name)


@register.simple_tag
def status_query(path: str, parameter: str = "status") -> str:
    """``?{% status_query "commitment.open" %}``: a list filter for every value of a set."""
    words, set_name = _named_set(path)
    return urlencode([(parameter, value) for value in words.members(set_name)])


@register.simple_tag
def illustrative_tag(flag: bool) -> str:
    if not flag:
        return ""
    return format_html(
        '<strong class="govuk-tag accord-tag-illustrative" title="{}">Illustrative</strong>',
        "Not from a public source: shown for demonstration only.",
    )


@register.filter
def any_illustrative(rows: Any) -> bool:
    """Whether any of the rows shown is illustrative (so the page explains the tag)."""
    return any(getattr(row, "is_illustrative", False) for row in rows)


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
    """``{{ counts|lookup:value }}``: a dict value by key, 0 when missing."""
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
