"""The restore drill (docs/operations.md, "Backup and restore"), with the scripts of deploy/backup/ as
an operator runs them: a private PostgreSQL cluster archiving its WAL through `chengxin-backup wal`,
the schema and the demo data in it, complaints filed through the intake service (cases, audit events,
notifications, evidence files), a base backup, more complaints, a noted time, more complaints, then
`chengxin-restore --to` the noted time into a fresh cluster and `chengxin-restore media`. Exactly the
rows written up to the noted time come back, the audit trail verifies, and the files come back with
their checksums; a damaged file in the media backup is named and nothing is restored."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests.integration.private_services import ROOT, PostgresCluster, free_port, migrate, project_env, wait_for

pytestmark = pytest.mark.integration

SCRIPTS = ROOT / "deploy" / "backup"
DATABASE = "chengxin"
# Rows of the three kinds an office must never lose, by their primary keys.
TABLES = ("cases_case", "cases_auditevent", "notifications_notification")


def _port(index: int) -> int:
    """RESTORE_DRILL_PORTS="p1,p2" pins the two clusters' ports (a shared machine's own range)."""
    pinned = os.environ.get("RESTORE_DRILL_PORTS")
    return int(pinned.split(",")[index]) if pinned else free_port()


def as_postgres(command: list[str], env: dict, *, check: bool = True) -> subprocess.CompletedProcess:
    """The scripts run as the PostgreSQL OS user, as the runbook says (the server refuses root)."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if check and done.returncode:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr or done.stdout}")
    return done


def rows(url: str) -> dict[str, set]:
    with psycopg.connect(url) as conn:
        found = {table: {row[0] for row in conn.execute(f"SELECT id FROM {table}")} for table in TABLES}
        found["numbers"] = {row[0] for row in conn.execute("SELECT number FROM cases_case")}
        found["files"] = {row[0] for row in conn.execute("SELECT file FROM cases_complaintevidence")}
        found["materials"] = {row[0] for row in conn.execute("SELECT file FROM cases_material")}
    return found


class Drill:
    def __init__(self, folder: Path):
        self.folder = folder
        self.source = PostgresCluster()
        self.source.port = _port(0)
        self.restored = PostgresCluster()
        self.restored.port = _port(1)
        self.backups = Path(self.source.folder) / "backups"  # the postgres user's, as /var/backups/chengxin
        self.media, self.private = folder / "media", folder / "private"
        self.scripts_env = {**os.environ, "BACKUP_DIR": str(self.backups), "MEDIA_ROOT": str(self.media),
                            "PRIVATE_ROOT": str(self.private), "PGHOST": self.source.folder,
                            "PGPORT": str(self.source.port), "PGUSER": "postgres"}  # fmt: skip

    def start_archiving(self) -> None:
        self.source.init()
        with open(os.path.join(self.source.data, "postgresql.conf"), "a") as conf:
            conf.write(
                "wal_level = replica\narchive_mode = on\n"
                f"archive_command = 'BACKUP_DIR={self.backups} {SCRIPTS / 'chengxin-backup'} wal %p %f'\n"
            )
        self.source.start()
        self.url = self.source.create_database(DATABASE)
        self.env = project_env(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=self.url,
                               REDIS_URL=os.environ.get("REDIS_URL", ""), MEDIA_ROOT=str(self.media),
                               PRIVATE_ROOT=str(self.private))  # fmt: skip

    def manage(self, *args: str, url: str | None = None) -> subprocess.CompletedProcess:
        env = {**self.env, "DATABASE_URL": url or self.url}
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)  # fmt: skip

    def write(self, label: str, count: int) -> set[str]:
        done = subprocess.run([sys.executable, "-m", "tests.integration.restore_drill_writes", label, str(count)],
                              cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return set(done.stdout.split())

    def backup_database(self) -> None:
        as_postgres([str(SCRIPTS / "chengxin-backup"), "base"], self.scripts_env)

    def backup_media(self) -> None:
        """As the service user that owns the files (here: this test's)."""
        subprocess.run([str(SCRIPTS / "chengxin-backup"), "media"], env=self.scripts_env, check=True,
                       capture_output=True, timeout=120)  # fmt: skip

    def archive_current_wal(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            segment = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        wait_for(lambda: (self.backups / "wal" / segment).exists(), timeout=30, what=f"{segment} archived")

    def restore(self, to: str) -> subprocess.CompletedProcess:
        command = [str(SCRIPTS / "chengxin-restore"), "--to", to, "--into", self.restored.data,
                   "--port", str(self.restored.port)]  # fmt: skip
        return as_postgres(command, {**self.scripts_env, "RESTORE_TIMEOUT": "60"})

    def restore_media(self, backups: Path, into: Path, private_into: Path, *, check=True):
        env = {**self.scripts_env, "BACKUP_DIR": str(backups)}
        command = [str(SCRIPTS / "chengxin-restore"), "media", "--into", str(into), "--private-into", str(private_into)]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=check)

    def remove(self) -> None:
        self.restored.remove()
        self.source.remove()


@pytest.fixture(scope="module")
def drill():
    folder = Path(tempfile.mkdtemp(prefix="chengxin-drill-"))
    drill = Drill(folder)
    try:
        drill.start_archiving()
        migrate(drill.env)
        seeded = drill.manage("seed_demo")
        assert seeded.returncode == 0, seeded.stderr
        drill.write("early", 2)
        drill.backup_database()
        drill.write("before", 3)
        time.sleep(1.1)
        drill.noted = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")
        drill.at_noted_time = rows(drill.url)
        time.sleep(1.1)
        drill.after = drill.write("after", 3)
        drill.archive_current_wal()
        drill.backup_media()
        drill.at_the_end = rows(drill.url)
        drill.restore_output = drill.restore(drill.noted).stdout
        drill.restored_rows = rows(drill.restored.url(DATABASE))
        yield drill
    finally:
        drill.remove()
        shutil.rmtree(folder, ignore_errors=True)


def test_every_case_written_up_to_the_noted_time_is_restored(drill):
    assert drill.restored_rows["numbers"] == drill.at_noted_time["numbers"]
    assert len(drill.restored_rows["numbers"]) >= 5 + 7  # the demo's cases and the drill's five


def test_no_case_written_after_the_noted_time_is_restored(drill):
    assert drill.after <= drill.at_the_end["numbers"]
    assert not drill.after & drill.restored_rows["numbers"]


@pytest.mark.parametrize("table", ["cases_auditevent", "notifications_notification"])
def test_audit_events_and_notifications_are_restored_to_the_noted_time(drill, table):
    assert drill.at_the_end[table] > drill.at_noted_time[table]  # the later writes made some
    assert drill.restored_rows[table] == drill.at_noted_time[table]


def test_the_restore_says_where_the_replay_stopped(drill):
    assert "promoted" in drill.restore_output
    assert "recovery stopping before commit" in drill.restore_output


def test_the_audit_trail_verifies_on_the_restored_database(drill):
    done = drill.manage("verify_audit", url=drill.restored.url(DATABASE))
    assert done.returncode == 0, done.stderr
    assert "audit trail intact" in done.stdout


def test_the_files_the_restored_database_names_come_back_with_their_checksums(drill, tmp_path):
    media, private = tmp_path / "media", tmp_path / "private"
    done = drill.restore_media(drill.backups, media, private)
    assert "every checksum matching" in done.stdout
    assert drill.restored_rows["files"] and drill.restored_rows["materials"]
    for name in drill.restored_rows["files"]:
        assert (private / name).read_bytes() == (drill.private / name).read_bytes()
    for name in drill.restored_rows["materials"]:
        assert (media / name).read_bytes() == (drill.media / name).read_bytes()


def test_a_damaged_file_in_the_media_backup_is_named_and_nothing_is_restored(drill, tmp_path):
    backups = tmp_path / "backups"
    shutil.copytree(drill.backups / "media", backups / "media")
    (kept,) = (backups / "media").iterdir()
    evidence = sorted(drill.at_the_end["files"])[0]
    archive = kept / "private.tar"
    content = archive.read_bytes()
    original = (drill.private / evidence).read_bytes()
    assert original in content
    archive.write_bytes(content.replace(original, original[:-1] + b"X", 1))  # one byte, as bit rot would
    media, private = tmp_path / "media", tmp_path / "private"
    done = drill.restore_media(backups, media, private, check=False)
    assert done.returncode == 3
    assert f"./{evidence}: FAILED" in done.stderr
    assert not private.exists() or not any(private.iterdir())
