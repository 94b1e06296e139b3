"""``python -m bench.register_views``: time and count the queries of the who-owes-what
matrix, the timeline, search and the calendar feeds on generated data, at each size.

Uses the same throw-away database and generator as ``python -m bench`` and exits non-zero
when a page costs more queries at a larger size.

    python -m bench.register_views --sizes tiny,small
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime


def targets(data: object, feed_token: str) -> list[tuple[str, str]]:
    code = data.agreement_code  # type: ignore[attr-defined]
    return [
        ("who owes what", f"/reports/agreements/{code}/who-owes-what/"),
        ("who owes what CSV", f"/reports/agreements/{code}/who-owes-what/?format=csv"),
        ("timeline", f"/reports/agreements/{code}/timeline/"),
        ("search 'bench'", "/search/?q=bench"),
        ("search 'bench' commitments", "/search/?q=bench&kind=commitments"),
        ("search an institute", "/search/?q=institute"),
        ("search nothing found", "/search/?q=zebra"),
        ("calendar settings", "/settings/calendar/"),
        ("feed my milestones", f"/calendar/{feed_token}/mine.ics"),
        ("feed agreement", f"/calendar/{feed_token}/agreements/{code}.ics"),
    ]


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench import database
    from bench.__main__ import parse_args
    from bench.generate import generate
    from bench.measure import timed
    from feeds.selectors import feed_token
    from feeds.services import calendar_feed_reset

    args = parse_args(argv)
    setup_test_environment(debug=False)
    old_config = database.create()
    results: dict[str, dict[str, tuple[float, int, int]]] = {}
    try:
        for size in args.sizes:
            database.empty()
            data = generate(size, now=datetime.now(UTC))
            database.analyse()
            officer = get_user_model().objects.get(username=data.officer_username)
            token = feed_token(calendar_feed_reset(actor=officer, user=officer))
            client = Client()
            client.force_login(officer)
            for what, path in targets(data, token):

                def fetch(path: str = path, client: Client = client) -> bytes:
                    response = client.get(path)
                    if response.status_code != 200:
                        raise RuntimeError(f"GET {path} answered {response.status_code}")
                    return b"".join(response) if response.streaming else response.content

                times, queries, body = timed(fetch, runs=args.runs)
                results.setdefault(what, {})[size.name] = (
                    statistics.median(times),
                    queries,
                    len(body),
                )
            print(f"{size.name}: measured", file=sys.stderr)
    finally:
        database.drop(old_config)
    names = [size.name for size in args.sizes]
    print(f"{'what':<28}" + "".join(f"{name + ' ms':>12}{'queries':>9}" for name in names))
    grows = []
    for what, by_size in results.items():
        cells = "".join(f"{by_size[n][0]:>12.1f}{by_size[n][1]:>9}" for n in names)
        counts = {by_size[n][1] for n in names}
        if len(counts) > 1:
            grows.append(what)
        print(f"{what:<28}{cells}  {'GROWS' if len(counts) > 1 else 'CONSTANT'}")
    return 1 if grows else 0


if __name__ == "__main__":
    started = time.monotonic()
    code = main(sys.argv[1:])
    print(f"done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    sys.exit(code)
