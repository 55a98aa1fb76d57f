"""A restore drill's parts, for the drill in the test suite (test_restore_drill.py) and the restore
bench (bench/restore.py): a private PostgreSQL cluster archiving its WAL through
`chengxin-backup wal`, the scripts of deploy/backup/ run as an operator runs them, the rows and files
to compare before and after."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from tests.integration.private_services import ROOT, PostgresCluster, free_port, project_env, wait_for

SCRIPTS = ROOT / "deploy" / "backup"
DATABASE = "chengxin"
# Rows of the three kinds an office must never lose, by their primary keys.
TABLES = ("cases_case", "cases_auditevent", "notifications_notification")


def cluster_port(index: int) -> int:
    """RESTORE_DRILL_PORTS="p1,p2" pins the two clusters' ports (a shared machine's own range)."""
    pinned = os.environ.get("RESTORE_DRILL_PORTS")
    return int(pinned.split(",")[index]) if pinned else free_port()


def as_postgres(command: list[str], env: dict, *, check: bool = True) -> subprocess.CompletedProcess:
    """The scripts run as the PostgreSQL OS user, as the runbook says (the server refuses root)."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
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
        self.source.port = cluster_port(0)
        self.restored = PostgresCluster()
        self.restored.port = cluster_port(1)
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

    def backup_database(self) -> str:
        """The backup's folder and size in bytes, as the script says them."""
        return as_postgres([str(SCRIPTS / "chengxin-backup"), "base"], self.scripts_env).stdout.strip()

    def backup_media(self) -> None:
        """As the service user that owns the files (here: this test's)."""
        subprocess.run([str(SCRIPTS / "chengxin-backup"), "media"], env=self.scripts_env, check=True,
                       capture_output=True, timeout=120)  # fmt: skip

    def archive_current_wal(self, timeout: float = 30) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            segment = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        wait_for(lambda: (self.backups / "wal" / segment).exists(), timeout=timeout, what=f"{segment} archived")

    def write_around_a_noted_time(self, count: int, archive_timeout: float = 30) -> str:
        """`count` complaints, the noted time (and the rows then) more than a second later, `count`
        more a second after it, their WAL archived. The time as chengxin-restore --to takes it."""
        self.write("before", count)
        time.sleep(1.1)
        self.noted = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")
        self.at_noted_time = rows(self.url)
        time.sleep(1.1)
        self.after = self.write("after", count)
        self.archive_current_wal(archive_timeout)
        return self.noted

    def restore(self, to: str, *, into: PostgresCluster | None = None, base: str = "", timeout: int = 60) -> str:
        """What chengxin-restore says."""
        into = into or self.restored
        command = [str(SCRIPTS / "chengxin-restore"), "--to", to, "--into", into.data, "--port", str(into.port)]
        command += ["--base", base] if base else []
        return as_postgres(command, {**self.scripts_env, "RESTORE_TIMEOUT": str(timeout)}).stdout

    def restore_media(self, backups: Path, into: Path, private_into: Path, *, check=True):
        env = {**self.scripts_env, "BACKUP_DIR": str(backups)}
        command = [str(SCRIPTS / "chengxin-restore"), "media", "--into", str(into), "--private-into", str(private_into)]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=check)

    def remove(self) -> None:
        self.restored.remove()
        self.source.remove()
