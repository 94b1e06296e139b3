"""``python -m bench``: generate data at each size, measure, print and save the table.

Prints every target of the performance issue with its measured value, and exits non-zero
when one is missed (a query count that grows with the data, a page that grows more than
1.5x from small to large, a list's main query more than 20x the same page fetched by
primary key, ...).

    python -m bench                      # small and large (2,000 and 20,000 commitments)
    python -m bench --sizes tiny,small   # a quick run
    python -m bench --sizes large,huge   # 200,000 commitments: slow
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


def growth(rows: list, size_order: list[str]) -> dict[tuple[str, str], float]:
    """Median at each size over the median at the size before it, per measured item."""
    by_what: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        by_what[row.what][row.size] = row.median
    ratios = {}
    for what, medians in by_what.items():
        present = [name for name in size_order if name in medians]
        for before, after in zip(present, present[1:], strict=False):
            if medians[before] > 0:
                ratios[(what, after)] = medians[after] / medians[before]
    return ratios


def print_table(
    rows: list,
    verdict: dict[str, str],
    counts: dict[str, dict[str, int]],
    ratios: dict[tuple[str, str], float],
) -> None:
    for size, figures in counts.items():
        described = ", ".join(
            f"{value:,} {key.replace('_', ' ')}" for key, value in figures.items()
        )
        print(f"\n{size}: {described}")
    what_width = max(len(row.what) for row in rows)

    def figure(value: float | None, digits: int = 1) -> str:
        return "" if value is None else f"{value:,.{digits}f}"

    header = (
        f"{'size':<6}  {'what':<{what_width}}  {'median':>12}  {'p95':>9}  {'queries':>7}  "
        f"{'main q ms':>9}  {'pk floor':>8}  {'peak KiB':>9}  {'growth':>6}  "
        f"{'query count':<16}  note"
    )
    print("\n" + header)
    print("-" * len(header))
    for row in rows:
        state = verdict.get(row.what, "scales by design")
        ratio = ratios.get((row.what, row.size))
        print(
            f"{row.size:<6}  {row.what:<{what_width}}  {row.median:>8.1f} {row.unit:<3}  "
            f"{figure(row.p95):>9}  {row.queries:>7}  {figure(row.main_query_ms, 2):>9}  "
            f"{figure(row.floor_ms, 2):>8}  {figure(row.peak_kib, 0):>9}  "
            f"{'' if ratio is None else f'{ratio:.2f}x':>6}  {state:<16}  {row.note}"
        )


# (target, limit) from the performance issue; see ``targets``.
GROWTH_LIMIT = 1.5
FLOOR_LIMIT = 20
WALK_LIMIT = 12
SCAN_FLAT_LIMIT = 1.2
RESCAN_SHARE = 0.05
MEMORY_FLAT_LIMIT = 1.5


def targets(
    rows: list, size_order: list[str], counts: dict[str, dict[str, int]], verdict: dict
) -> list[tuple[str, str, bool]]:
    """Each target with its measured value and whether it is met: (target, measured, ok)."""
    found: list[tuple[str, str, bool]] = []
    at = {(row.what, row.size): row for row in rows}
    pair = [name for name in ("small", "large") if name in size_order]
    if len(pair) < 2 and len(size_order) >= 2:
        pair = size_order[-2:]
    if len(pair) == 2:
        small, large = pair
        for row in rows:
            if row.size != large or row.kind != "page" or (row.what, small) not in at:
                continue
            ratio = row.median / at[(row.what, small)].median
            found.append(
                (
                    f"growth {small}->{large} <= {GROWTH_LIMIT}x: {row.what}",
                    f"{ratio:.2f}x ({at[(row.what, small)].median:.1f} -> {row.median:.1f} ms)",
                    ratio <= GROWTH_LIMIT,
                )
            )
        walk = "api walk: every commitment, 500 a page"
        if (walk, small) in at and (walk, large) in at:
            ratio = at[(walk, large)].median / at[(walk, small)].median
            found.append(
                (
                    f"api walk {small}->{large} <= {WALK_LIMIT}x",
                    f"{ratio:.2f}x ({at[(walk, small)].median / 1000:.2f} -> "
                    f"{at[(walk, large)].median / 1000:.2f} s)",
                    ratio <= WALK_LIMIT,
                )
            )
        memory = "memory of the csv export (tracemalloc peak)"
        if (memory, small) in at and (memory, large) in at:
            ratio = at[(memory, large)].median / at[(memory, small)].median
            found.append(
                (
                    f"csv export peak memory flat {small}->{large} (<= {MEMORY_FLAT_LIMIT}x)",
                    f"{ratio:.2f}x ({at[(memory, small)].median} -> "
                    f"{at[(memory, large)].median} MiB)",
                    ratio <= MEMORY_FLAT_LIMIT,
                )
            )
    for row in rows:
        if row.floor_ms and row.main_query_ms is not None:
            ratio = row.main_query_ms / row.floor_ms
            found.append(
                (
                    f"floor: main query <= {FLOOR_LIMIT}x page by pk [{row.size}] {row.what}",
                    f"{ratio:.1f}x ({row.main_query_ms:.2f} vs {row.floor_ms:.2f} ms)",
                    ratio <= FLOOR_LIMIT,
                )
            )
    scan = "scan_reminders (first run)"
    scanned = [name for name in size_order if (scan, name) in at]
    if len(scanned) >= 2:
        before, after = scanned[-2], scanned[-1]
        per = {
            name: at[(scan, name)].median / max(counts[name]["open_milestones"], 1)
            for name in (before, after)
        }
        ratio = per[after] / per[before]
        found.append(
            (
                f"scan time per open milestone flat {before}->{after} (<= {SCAN_FLAT_LIMIT}x)",
                f"{ratio:.2f}x ({per[before] * 1000:.1f} -> {per[after] * 1000:.1f} us)",
                ratio <= SCAN_FLAT_LIMIT,
            )
        )
    for name in scanned:
        again = at.get(("scan_reminders (again: nothing new)", name))
        if again:
            share = again.median / at[(scan, name)].median
            found.append(
                (
                    f"rescan with nothing new < {RESCAN_SHARE:.0%} of first scan [{name}]",
                    f"{share:.1%} ({again.median:.0f} vs {at[(scan, name)].median:.0f} ms)",
                    share < RESCAN_SHARE,
                )
            )
    for what, state in sorted(verdict.items()):
        if state in ("CONSTANT", "GROWS"):
            found.append((f"query count identical across sizes: {what}", state, state != "GROWS"))
    return found


def print_targets(found: list[tuple[str, str, bool]]) -> None:
    width = max((len(name) for name, _, _ in found), default=10)
    print("\nTargets")
    for name, measured, ok in found:
        print(f"  {'met   ' if ok else 'MISSED'}  {name:<{width}}  {measured}")


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
    ratios = growth(rows, order)
    print_table(rows, verdict, counts, ratios)
    found = targets(rows, order, counts, verdict)
    print_targets(found)
    missed = [name for name, _, ok in found if not ok]

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
                "growth": {f"{what} @ {size}": round(r, 3) for (what, size), r in ratios.items()},
                "targets": [
                    {"target": name, "measured": measured, "met": ok}
                    for name, measured, ok in found
                ],
                "rows": [row.as_dict() for row in rows],
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    total = time.monotonic() - started
    print(f"\nSaved to {output}; whole run {total:.0f} s.")
    if missed:
        print(f"{len(missed)} target(s) missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
