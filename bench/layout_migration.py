"""A bench database of the flat layout (commit 0403a86, before cases/ became sub-apps) migrated
to this tree: every row, process, task and audit event checked, and how long it takes.

    python bench/layout_migration.py [--cases 100000] [--smoke]

In a fresh PostgreSQL database (chengxin_layout): the flat layout's `manage.py migrate` and
`seed_demo`, then `--cases` cases built by bench/_layout_build.py inside that layout (SQL, each
case with its process, three tasks, a deadline, a complaint row for a complaint and two
hash-chained audit events written by that layout's bulk writer). A snapshot of every table (row
count and checksum, bench/_layout.py), this tree's `manage.py migrate` (timed), the comparison,
`manage.py verify_audit` and the unapplied-migration check. Exits 1 if anything is lost, the
trail does not verify or a migration is left. `--smoke` runs the same with a few hundred cases
(chengxin_layout_smoke). The database is dropped at the end.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "chengxin_layout")

import _layout
import _setup
from _setup import PG, parse_args


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    args = parse_args(parser, cases=300)
    name = _setup.DB_NAME
    with tempfile.TemporaryDirectory(prefix="chengxin-flat-layout-") as tmp:
        old = _layout.old_tree(Path(tmp))
        url = _layout.create_database(PG, name)
        try:
            figures = run(old, url, args.cases)
        finally:
            _layout.drop_database(PG, name)
    if figures:
        sys.exit("\n".join(figures))


def run(old: Path, url: str, cases: int) -> list[str]:
    timings = _layout.Timings()
    timings.time("flat layout: migrate + seed_demo", lambda: (
        _layout.manage(old, url, "migrate", "--noinput"), _layout.manage(old, url, "seed_demo")
    ))  # fmt: skip
    built = timings.time(
        "flat layout: the bench's cases",
        subprocess.run,
        [sys.executable, str(_layout.ROOT / "bench" / "_layout_build.py"), "--cases", str(cases)],
        cwd=old,
        env=_layout.manage_env(url),
        capture_output=True,
        text=True,
        check=True,
    )
    _cases, events, _seconds = built.stdout.split()[-3:]
    before = timings.time("snapshot", _layout.snapshot, url)
    timings.time("this tree: migrate", _layout.manage, _layout.ROOT, url, "migrate", "--noinput")
    problems = timings.time("comparison", _layout.compare, before, url)
    verified = timings.time("verify_audit", _layout.manage, _layout.ROOT, url, "verify_audit", check=False)
    left = _layout.unapplied(_layout.ROOT, url)

    print(
        f"{before.count('cases_case'):,} cases ({cases:,} the bench's, the rest the demo's), "
        f"{int(events):,} bench audit events"
    )
    print(
        f"rows checked: {before.rows:,} in {len(before.tables)} tables; "
        f"audit events {before.count('cases_auditevent'):,}, processes {before.count('viewflow_process'):,}, "
        f"tasks {before.count('viewflow_task'):,}"
    )
    for step, seconds in timings.figures.items():
        print(f"  {step:<34} {seconds:8.1f} s")
    print(f"  {verified.stdout.strip() or verified.stderr.strip()[-300:]}")
    failures = [f"lost or changed: {problem}" for problem in problems]
    if verified.returncode != 0:
        failures.append(f"verify_audit failed: {verified.stderr.strip()[-500:]}")
    failures += [f"not applied: {migration}" for migration in left]
    print("every row, process, task and audit event intact" if not failures else f"{len(failures)} failures")
    return failures


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - start:.1f} s")
