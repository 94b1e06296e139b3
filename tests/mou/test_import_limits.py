"""Hostile or broken YAML files are refused cleanly, in bounded memory, with nothing written."""

from __future__ import annotations

import tracemalloc

import pytest
from django.core.management import CommandError, call_command

from mou.exchange_format import MAX_DEPTH, ImportRefused, import_text
from mou.models import Agreement
from tests.mou.test_import_export import MODELS, VALID

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _counts() -> list[int]:
    return [model.objects.count() for model in MODELS]


def _refused(text: str) -> tuple[str, int]:
    """The refusal's message and the peak memory the attempt took, in bytes."""
    before = _counts()
    tracemalloc.start()
    try:
        with pytest.raises(ImportRefused) as caught:
            import_text(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert _counts() == before, "nothing may be written"
    return str(caught.value), peak


def test_billion_laughs_is_refused_at_the_first_alias_in_little_memory():
    message, peak = _refused(BILLION_LAUGHS)
    assert "line 1" in message
    assert "anchors and aliases" in message
    assert peak < 2 * 1024 * 1024


def test_an_alias_inside_a_valid_file_is_refused():
    text = VALID.replace("name: Alpha Institute", "name: &n Alpha Institute", 1)
    message, _ = _refused(text)
    assert "anchors and aliases (&name, *name) are not accepted" in message


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
def test_deep_nesting_is_refused_with_its_line(depth):
    flow = "x: " + "[" * depth + "1" + "]" * depth + "\n"
    candidates = [flow]
    if depth < 100:  # block style, 5,000 deep, would be over the size limit
        candidates.append(
            "x:\n" + "".join("  " * n + "-\n" for n in range(depth)) + "  " * depth + "1\n"
        )
    for candidate in candidates:
        message, peak = _refused(candidate)
        assert f"nested more than {MAX_DEPTH} deep" in message
        assert peak < 8 * 1024 * 1024


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID.replace("Alpha Institute", "Alpha\x00Institute", 1), "line 4, file: contains a NUL"),
        (VALID.replace("Alpha Institute", '"Alpha\\0Institute"', 1), "NUL character (code 0)"),
        (VALID.replace("Alpha Institute", "Alpha\ud800Institute", 1), "lone surrogate (U+D800)"),
        (VALID.replace("Alpha Institute", '"Alpha\\udc80Institute"', 1), "U+DC80"),
    ],
    ids=["raw NUL", "escaped NUL", "raw surrogate", "escaped surrogate"],
)
def test_nul_and_lone_surrogates_are_refused_by_name(text, expected):
    message, _ = _refused(text)
    assert expected in message


def test_escaped_nul_names_its_field():
    message, _ = _refused(VALID.replace("Alpha Institute", '"Alpha\\0Institute"', 1))
    assert "institutes[0].name" in message


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1000
    message, _ = _refused(VALID + "#" * 1000 + "\n")
    assert "the most accepted is 1,000 (IMPORT_MAX_BYTES)" in message


def test_the_command_refuses_a_large_file_before_reading_it(settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.yaml"
    path.write_text(VALID + "#" * 2000)
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_agreement", str(path))
    assert not Agreement.objects.exists()


def test_the_default_size_limit_is_5_mb(settings):
    assert settings.IMPORT_MAX_BYTES == 5 * 1024 * 1024


def test_a_valid_file_still_imports():
    assert import_text(VALID).agreement.pk
