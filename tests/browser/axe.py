"""Accessibility checks with axe-core, read from node_modules (installed by npm at set-up),
and keyboard steps for the browser tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def _axe_source() -> str:
    if not AXE_SOURCE.exists():
        pytest.fail(f"axe-core is missing at {AXE_SOURCE}: run `make assets` (npm ci).")
    return AXE_SOURCE.read_text(encoding="utf-8")


def assert_accessible(page: Page) -> None:
    """No axe-core violation of WCAG 2.2 A/AA on the page as it is now."""
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) stays on.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in result["violations"]
    ]
    assert not problems, f"axe found on {page.url}:\n" + "\n".join(problems)


def focused_text(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " const t = e.getAttribute('aria-label') || e.textContent || e.value || e.id || '';"
        " return t.replace(/\\s+/g, ' ').trim(); }"
    )


def tab_to(page: Page, text: str, *, limit: int = 200) -> None:
    """Press Tab until the focused element's text starts with ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_text(page).startswith(text):
            return
    raise AssertionError(f"Tab never reached {text!r} on {page.url}")


def tab_to_selector(page: Page, selector: str, *, limit: int = 200) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector!r} on {page.url}")
