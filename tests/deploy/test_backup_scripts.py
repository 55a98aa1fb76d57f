"""The parts of deploy/backup/ that need no PostgreSQL (the drill, tests/integration/test_restore_drill.py,
runs the rest): the archive_command never overwrites a segment, and the nightly unit runs the
script's own commands."""

import configparser
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup" / "chengxin-backup"


def archive(tmp_path, name: str, content: bytes) -> subprocess.CompletedProcess:
    segment = tmp_path / "pg_wal" / name
    segment.parent.mkdir(exist_ok=True)
    segment.write_bytes(content)
    env = {**os.environ, "BACKUP_DIR": str(tmp_path / "backups")}
    return subprocess.run([BACKUP, "wal", segment, name], env=env, capture_output=True, text=True, timeout=30)


def test_a_segment_is_archived_with_its_content(tmp_path):
    assert archive(tmp_path, "000000010000000000000001", b"wal one").returncode == 0
    assert (tmp_path / "backups" / "wal" / "000000010000000000000001").read_bytes() == b"wal one"
    assert [p.name for p in (tmp_path / "backups" / "wal").iterdir()] == ["000000010000000000000001"]


def test_the_same_segment_again_is_accepted(tmp_path):
    archive(tmp_path, "000000010000000000000001", b"wal one")
    assert archive(tmp_path, "000000010000000000000001", b"wal one").returncode == 0


def test_another_content_under_an_archived_name_is_refused_and_the_archive_kept(tmp_path):
    archive(tmp_path, "000000010000000000000001", b"wal one")
    refused = archive(tmp_path, "000000010000000000000001", b"something else")
    assert refused.returncode != 0
    assert "not overwritten" in refused.stderr
    assert (tmp_path / "backups" / "wal" / "000000010000000000000001").read_bytes() == b"wal one"


def test_the_nightly_unit_runs_base_media_and_prune_as_the_postgres_user():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    # ExecStart is given three times: configparser keeps the last, so read them as lines.
    text = (ROOT / "deploy" / "systemd" / "chengxin-backup.service").read_text()
    unit.read_string("\n".join(line for line in text.splitlines() if not line.startswith("ExecStart=")))
    starts = [line.removeprefix("ExecStart=") for line in text.splitlines() if line.startswith("ExecStart=")]
    assert starts == [f"/usr/local/bin/chengxin-backup {command}" for command in ("base", "media", "prune")]
    assert unit["Service"]["User"] == "postgres" and unit["Service"]["Type"] == "oneshot"
    timer = (ROOT / "deploy" / "systemd" / "chengxin-backup.timer").read_text()
    assert "OnCalendar=" in timer and "Persistent=true" in timer


def test_prune_keeps_the_newest_backups_and_the_wal_they_need(tmp_path):
    backups = tmp_path / "backups"
    starts = {"20261201T023000Z": 2, "20261202T023000Z": 5, "20261203T023000Z": 9}  # their first WAL segments
    for name, start in starts.items():
        (backups / "base" / name).mkdir(parents=True)
        (backups / "base" / name / "start_wal").write_text(f"0000000100000000000000{start:02X}\n")
        (backups / "media" / name).mkdir(parents=True)
    (backups / "wal").mkdir()
    for segment in range(1, 11):
        (backups / "wal" / f"0000000100000000000000{segment:02X}").write_bytes(b"wal")
    env = {**os.environ, "BACKUP_DIR": str(backups), "BACKUP_KEEP": "2"}
    subprocess.run([BACKUP, "prune"], env=env, check=True, capture_output=True, timeout=30)
    assert sorted(p.name for p in (backups / "base").iterdir()) == ["20261202T023000Z", "20261203T023000Z"]
    assert sorted(p.name for p in (backups / "media").iterdir()) == ["20261202T023000Z", "20261203T023000Z"]
    kept = sorted(p.name for p in (backups / "wal").iterdir())
    assert kept == [f"0000000100000000000000{segment:02X}" for segment in range(5, 11)]
