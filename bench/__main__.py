"""``python -m bench``: generate data at each size, measure, print and save the table.

Exits non-zero when any page or API list costs more queries at a larger size: their query
counts must not depend on the amount of data.

    python -m bench                      # small and large (2,000 and 20,000 commitments)
    python -m bench --sizes tiny,small   # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    from bench.generate import SIZES

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="small,large",
        help=f"comma-separated sizes from {', '.join(SIZES)} (default: small,large)",
    )
    parser.add_argument("--runs", type=int, default=3, help="measured runs per item (median)")
    parser.add_argument("--output", default="var/bench/results.json", help="where to save")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.sizes.split(",") if name.strip()]
    unknown = [name for name in names if name not in SIZES]
    if unknown or not names:
        parser.error(
            f"unknown size(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SIZES)}"
        )
    args.sizes = [SIZES[name] for name in names]
    return args


def verdicts(rows: list, size_order: list[str]) -> dict[str, str]:
    """CONSTANT or GROWS for each measured item whose query count must not depend on size."""
    from bench.measure import CONSTANT

    by_what: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        if row.rule == CONSTANT:
            by_what[row.what][row.size] = row.queries
    result = {}
    for what, counts in by_what.items():
        ordered = [counts[name] for name in size_order if name in counts]
        if len(ordered) < 2:
            result[what] = "ONE SIZE"
        else:
            result[what] = "CONSTANT" if len(set(ordered)) == 1 else "GROWS"
    return result


def print_table(rows: list, verdict: dict[str, str], counts: dict[str, dict[str, int]]) -> None:
    for size, figures in counts.items():
        described = ", ".join(
            f"{value:,} {key.replace('_', ' ')}" for key, value in figures.items()
        )
        print(f"\n{size}: {described}")
    what_width = max(len(row.what) for row in rows)
    header = (
        f"{'size':<6}  {'what':<{what_width}}  {'median':>12}  {'queries':>7}  "
        f"{'query count':<16}  note"
    )
    print("\n" + header)
    print("-" * len(header))
    for row in rows:
        state = verdict.get(row.what, "scales by design")
        print(
            f"{row.size:<6}  {row.what:<{what_width}}  {row.median:>8.1f} {row.unit:<3}  "
            f"{row.queries:>7}  {state:<16}  {row.note}"
        )


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    # The static files are not collected for a benchmark; WhiteNoise's notice is noise here.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings, setup_test_environment

    from bench import database, measure
    from bench.generate import generate

    args = parse_args(argv)
    setup_test_environment(debug=False)
    rows: list = []
    counts: dict[str, dict[str, int]] = {}
    timings: dict[str, float] = {}
    started = time.monotonic()
    old_config = database.create()
    print(f"Benchmark database {settings.DATABASES['default']['NAME']} created and migrated "
          f"in {time.monotonic() - started:.1f} s")  # fmt: skip
    locmem = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    try:
        with override_settings(MAILERS=locmem):
            for size in args.sizes:
                database.empty()
                now = datetime.now(UTC)
                began = time.monotonic()
                data = generate(size, now=now)
                database.analyse()
                timings[f"generate {size.name}"] = time.monotonic() - began
                timings |= {f"{step} {size.name}": value for step, value in data.seconds.items()}
                counts[size.name] = data.counts
                print(
                    f"{size.name}: generated {data.counts['milestones']:,} milestones "
                    f"({data.counts['open_milestones']:,} open) and "
                    f"{data.counts['commitments']:,} commitments in "
                    f"{timings[f'generate {size.name}']:.1f} s"
                )
                began = time.monotonic()
                rows += measure.reminders(data, runs=args.runs)
                rows += measure.pages(data, runs=args.runs)
                timings[f"measure {size.name}"] = time.monotonic() - began
                print(f"{size.name}: measured in {timings[f'measure {size.name}']:.1f} s")
    finally:
        database.drop(old_config)
    order = [size.name for size in args.sizes]
    rows.sort(key=lambda row: (row.what, order.index(row.size)))
    verdict = verdicts(rows, order)
    print_table(rows, verdict, counts)
    grows = sorted(what for what, state in verdict.items() if state == "GROWS")

    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "runs_per_item": args.runs,
                "sizes": {size.name: counts[size.name] for size in args.sizes},
                "seconds": {key: round(value, 1) for key, value in timings.items()},
                "query_counts": verdict,
                "rows": [row.as_dict() for row in rows],
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    total = time.monotonic() - started
    print(f"\nSaved to {output}; whole run {total:.0f} s.")
    if grows:
        print("Query count GROWS with the data for: " + "; ".join(grows), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
