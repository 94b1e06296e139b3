"""Where the pages look up a lifecycle's words: labels, tag colours and named sets.

``core`` knows no app's statuses. Each app describes its own lifecycles in its
``choices.py`` and registers them here in its ``AppConfig.ready``; templates then ask by
lifecycle name (``{% status_tag "commitment" c.status %}``,
``{% if m.status|is_in:"milestone.open" %}``), so that no status string is written in a
template, a view or a selector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models


@dataclass(frozen=True)
class Vocabulary:
    """One lifecycle (or other closed set of values) as the pages show it.

    ``tags`` gives each value's GOV.UK tag modifier (e.g. ``govuk-tag--green``). A lifecycle
    splits its values between ``open`` and ``closed``; ``sets`` names any other groups the
    pages ask about. Templates refer to a set as ``<name>.<set>`` (``"milestone.open"``).
    """

    name: str
    choices: type[models.Choices]
    tags: Mapping[Any, str]  # each value of ``choices`` (str enum members) → a tag class
    open: frozenset[str] = frozenset()
    closed: frozenset[str] = frozenset()
    sets: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = set(self.values)
        untagged = values - set(self.tags)
        if untagged:
            raise ImproperlyConfigured(f"{self.name}: no tag colour for {sorted(untagged)}.")
        for set_name, members in self.named_sets().items():
            unknown = {str(m) for m in members} - values
            if unknown:
                raise ImproperlyConfigured(f"{self.name}.{set_name}: unknown {sorted(unknown)}.")
        if (self.open or self.closed) and (
            self.open & self.closed or set(self.open | self.closed) != values
        ):
            raise ImproperlyConfigured(
                f"{self.name}: open and closed must split the values between them."
            )

    @property
    def values(self) -> list[str]:
        return [str(value) for value in self.choices.values]

    def named_sets(self) -> dict[str, frozenset[str]]:
        return dict(open=self.open, closed=self.closed) | dict(self.sets)  # noqa: C408

    def label(self, value: str) -> str:
        return str(dict(self.choices.choices).get(value, value))

    def tag_class(self, value: str) -> str:
        return self.tags.get(value, "")

    def members(self, set_name: str) -> list[str]:
        """The values of a named set, in the order the choices list them."""
        members = self.named_sets().get(set_name)
        if members is None:
            raise ImproperlyConfigured(f"{self.name} has no set named “{set_name}”.")
        return [value for value in self.values if value in members]


_REGISTRY: dict[str, Vocabulary] = {}


def register(*vocabularies: Vocabulary) -> None:
    """Make lifecycles known to the pages (called from each app's ``ready``)."""
    for new in vocabularies:
        known = _REGISTRY.get(new.name)
        if known is not None and known != new:
            raise ImproperlyConfigured(f"Two vocabularies are named “{new.name}”.")
        _REGISTRY[new.name] = new


def vocabulary(name: str) -> Vocabulary:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"No vocabulary named “{name}”: known are {sorted(_REGISTRY)}."
        ) from None


def registered() -> list[Vocabulary]:
    return list(_REGISTRY.values())
