"""Each lifecycle's words live in its app's choices.py; the pages only ask for them."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.template import Context, Template

from core.vocabulary import Vocabulary, registered, vocabulary

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "institutes", "mou", "exchanges", "reminders", "reporting"]
LIFECYCLES = ["agreement", "commitment", "milestone", "rag", "secondment", "delivery"]

# (file relative to the project, literal) pairs that may stay: none today.
ALLOWED: set[tuple[str, str]] = set()


def scanned_files() -> list[Path]:
    """Templates, our own scripts, all of core, and every app's views and selectors."""
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/js/*.js")]
    files += [p for p in ROOT.glob("core/**/*.py") if "migrations" not in p.parts]
    for app in APPS:
        for pattern in ("views.py", "views/*.py", "api/*.py", "selectors.py", "selectors/*.py"):
            files += ROOT.glob(f"{app}/{pattern}")
    return sorted(set(files))


def status_values() -> set[str]:
    return {value for words in registered() for value in words.values if value}


def literals_in(text: str, values: set[str]) -> set[str]:
    """Status values written out: quoted ("completed", 'open') or in a query (status=active)."""
    alternatives = "|".join(sorted(map(re.escape, values), key=len, reverse=True))
    quoted = re.compile(rf"""(["'])({alternatives})\1""")
    in_query = re.compile(rf"\b\w+=({alternatives})\b(?![\w.\-(])")
    return {m.group(2) for m in quoted.finditer(text)} | {
        m.group(1) for m in in_query.finditer(text)
    }


def test_the_scan_finds_a_status_written_out():
    values = status_values()
    assert literals_in('{% if milestone.status == "open" %}', values) == {"open"}
    assert literals_in("x.status not in {'completed', 'cancelled'}", values) == {
        "completed",
        "cancelled",
    }
    assert literals_in('href="?status=active"', values) == {"active"}
    assert literals_in('{% if m.status|is_in:"milestone.open" %}', values) == set()


def test_no_status_is_written_out_in_templates_views_selectors_or_core():
    values = status_values()
    found = []
    for path in scanned_files():
        name = str(path.relative_to(ROOT))
        for literal in literals_in(path.read_text(encoding="utf-8"), values):
            if (name, literal) not in ALLOWED:
                found.append(f"{name}: {literal!r}")
    assert not found, "Use the app's choices.py instead: " + ", ".join(found)
    assert len(scanned_files()) > 30  # the scan reads the app, not an empty folder


def test_every_lifecycle_is_registered_and_split_into_open_and_closed():
    for name in LIFECYCLES:
        words = vocabulary(name)
        assert words.open and words.closed, name
        assert set(words.open) | set(words.closed) == set(words.values), name
        assert all(words.tag_class(value).startswith("govuk-tag--") for value in words.values)
    assert set(vocabulary("reminder").tags) == set(vocabulary("reminder").values)


class Colour(models.TextChoices):
    RED = "red", "Red"
    BLUE = "blue", "Blue"


def test_a_vocabulary_without_a_tag_or_with_a_bad_split_is_refused():
    with pytest.raises(ImproperlyConfigured, match="no tag colour for"):
        Vocabulary(name="colour", choices=Colour, tags={"red": "govuk-tag--red"})
    with pytest.raises(ImproperlyConfigured, match="must split"):
        Vocabulary(
            name="colour",
            choices=Colour,
            tags={"red": "govuk-tag--red", "blue": "govuk-tag--blue"},
            open=frozenset({"red"}),
        )
    with pytest.raises(ImproperlyConfigured, match="No vocabulary named"):
        vocabulary("colour")


def render(source: str, **context: object) -> str:
    return Template("{% load accord %}" + source).render(Context(context))


def test_status_tag_reads_label_and_colour_from_the_choices():
    from mou.choices import COMMITMENT_TAGS, CommitmentStatus

    html = render('{% status_tag "commitment" value %}', value=CommitmentStatus.AT_RISK)
    assert html == (
        f'<strong class="govuk-tag {COMMITMENT_TAGS[CommitmentStatus.AT_RISK]} '
        f'accord-tag-commitment" data-commitment="at_risk">At risk</strong>'
    )
    # The same value in two lifecycles keeps each lifecycle's own colour.
    from exchanges.choices import SECONDMENT_TAGS, SecondmentStatus

    assert SECONDMENT_TAGS[SecondmentStatus.CANCELLED] in render(
        '{% status_tag "secondment" value %}', value=SecondmentStatus.CANCELLED
    )
    assert render('{% status_tag "rag" "" %}') == ""


def test_sets_and_queries_come_from_the_choices():
    from mou.choices import COMMITMENT_OPEN, MilestoneStatus

    assert render('{% if v|is_in:"milestone.open" %}yes{% endif %}', v=MilestoneStatus.OPEN)
    assert not render('{% if v|is_in:"milestone.open" %}yes{% endif %}', v=MilestoneStatus.DONE)
    query = render('{% status_query "commitment.open" %}')
    assert sorted(query.split("&amp;")) == sorted(f"status={v}" for v in COMMITMENT_OPEN)
