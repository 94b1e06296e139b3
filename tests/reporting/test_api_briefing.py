"""The README's "monthly briefing in ten lines of Python" runs against a live server and
its figures equal the dashboard's."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from api_tokens.services import token_create
from reporting import selectors
from tests.api_helpers import fill

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.django_db(transaction=True)
def test_the_readme_briefing_runs_and_matches_the_dashboard(register, live_server, tmp_path):
    fill(register, 6)
    _token, key = token_create(user=register.analyst, actor=register.analyst, name="Briefing")
    section = README.read_text().split("### A monthly briefing in ten lines of Python")[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    # Ten statements and a small helper, as the formatter lays them out.
    assert len([line for line in code.splitlines() if line.strip()]) <= 15
    (tmp_path / "accord-token").write_text(key)
    code = code.replace("https://accord.example/api/v1/", f"{live_server.url}/api/v1/")
    assert live_server.url in code
    code = code.replace('open("accord-token")', f'open("{tmp_path / "accord-token"}")')
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "README briefing", "exec"), namespace)  # noqa: S102
    dashboard = selectors.dashboard(user=register.analyst)
    assert sum(r["count"] for r in namespace["now"]["commitments"]) == sum(
        f.total for f in dashboard["agreements"]
    )
    assert len(namespace["late"]) == dashboard["late_count"]
    assert namespace["changes"], "this month's changes"
