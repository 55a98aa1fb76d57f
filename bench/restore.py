"""Restore time with the demo data and 1,000,000 cases, by the scripts of deploy/backup/.

    python bench/restore.py [--cases 1000000] [--smoke]

A private PostgreSQL cluster archiving its WAL through `chengxin-backup wal` (in a temporary folder,
removed at the end): the schema, a first base backup, `--cases` cases with their deadlines and
complaints built in SQL (bench/_queues_build.py, the queue bench's builders), the demo data (seed_demo), a second base
backup, complaints filed through the intake service around a noted time. Then `chengxin-restore
--to` the noted time twice, each into a fresh cluster: from the second base backup (the nightly
backup and a little WAL: the usual restore) and from the first (the cases' whole WAL replayed: a
restore from a backup taken before a day's heavy writing). Prints the base backup's time and size,
each restore's unpack-and-verify, WAL replay and total times, and the rows verified: every case,
audit event and notification written up to the noted time and none after, and verify_audit on the
restored database.

`--smoke` runs the same with 600 cases.
"""

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _setup import REDIS_URL, ROOT, parse_args

sys.path.insert(0, str(ROOT))
os.environ["REDIS_URL"] = REDIS_URL

from tests.integration.private_services import PostgresCluster, migrate
from tests.integration.restore_drill import DATABASE, TABLES, Drill, cluster_port, rows


def build(drill: Drill, cases: int) -> None:
    """The cases in this process, through Django on the drill's database."""
    os.environ.update(DATABASE_URL=drill.url, DJANGO_SETTINGS_MODULE="config.settings.local", LOG_LEVEL="WARNING",
                      MEDIA_ROOT=str(drill.media), PRIVATE_ROOT=str(drill.private))  # fmt: skip
    import django

    django.setup()
    from _queues_build import build_cases, build_people

    build_cases(cases, build_people(districts=1))
    from django.db import connection

    connection.close()


def timed_backup(drill: Drill) -> tuple[str, float, int]:
    start = time.perf_counter()
    folder, size, _unit = drill.backup_database().rsplit(" ", 2)
    return os.path.basename(folder), time.perf_counter() - start, int(size)


def restore_and_check(drill: Drill, into: PostgresCluster, base: str, label: str) -> None:
    start = time.perf_counter()
    said = drill.restore(drill.noted, into=into, base=base, timeout=3600)
    total = time.perf_counter() - start
    unpacked = re.search(r"unpacked and verified in ([\d.]+) s", said).group(1)
    replayed = re.search(r"WAL replayed and promoted in ([\d.]+) s", said).group(1)
    found = rows(into.url(DATABASE))
    for kind in (*TABLES, "numbers"):
        if found[kind] != drill.at_noted_time[kind]:
            raise SystemExit(f"{label}: {kind} differ from the noted time's")
    if drill.after & found["numbers"]:
        raise SystemExit(f"{label}: cases written after the noted time were restored")
    audit = drill.manage("verify_audit", url=into.url(DATABASE))
    if audit.returncode:
        raise SystemExit(f"{label}: verify_audit failed on the restored database: {audit.stderr}")
    counts = ", ".join(f"{len(found[table]):,} {table}" for table in TABLES)
    print(f"restore {label:<38} unpack+verify {float(unpacked):6.1f} s  WAL replay {float(replayed):6.1f} s  "
          f"total {total:6.1f} s")  # fmt: skip
    print(f"  rows verified: {counts}, none after the noted time; {audit.stdout.strip()}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parse_args(parser, cases=600)
    began = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="chengxin-bench-restore-"))
    drill = Drill(folder)
    heavy = PostgresCluster()
    heavy.port = cluster_port(2)
    try:
        drill.start_archiving()
        migrate(drill.env)
        before_cases, _seconds, _size = timed_backup(drill)
        start = time.perf_counter()
        build(drill, args.cases)  # first: its channels are made with create(), the demo's with get_or_create()
        seeded = drill.manage("seed_demo")
        if seeded.returncode:
            raise SystemExit(f"seed_demo failed: {seeded.stderr}")
        print(f"built {args.cases:,} cases and the demo data in {time.perf_counter() - start:.1f} s")
        nightly, seconds, size = timed_backup(drill)
        print(f"base backup (pg_basebackup -Ft -z) {seconds:.1f} s, {size / 2**20:,.1f} MiB")
        drill.write_around_a_noted_time(3, archive_timeout=600)
        wal = sum(path.stat().st_size for path in (drill.backups / "wal").iterdir())
        print(f"archived WAL {wal / 2**20:,.1f} MiB")
        restore_and_check(drill, drill.restored, nightly, "from the backup after the cases")
        restore_and_check(drill, heavy, before_cases, "from the backup before the cases")
    finally:
        heavy.remove()
        drill.remove()
        shutil.rmtree(folder, ignore_errors=True)
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{time.perf_counter() - began:.0f} s in all; load average now {load} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
