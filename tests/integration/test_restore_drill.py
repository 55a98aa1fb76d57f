"""The restore drill (docs/operations.md, "Backup and restore"), with the scripts of deploy/backup/ as
an operator runs them: a private PostgreSQL cluster archiving its WAL through `chengxin-backup wal`,
the schema and the demo data in it, complaints filed through the intake service (cases, audit events,
notifications, evidence files), a base backup, more complaints, a noted time, more complaints, then
`chengxin-restore --to` the noted time into a fresh cluster and `chengxin-restore media`. Exactly the
rows written up to the noted time come back, the audit trail verifies, and the files come back with
their checksums; a damaged file in the media backup is named and nothing is restored."""

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.integration.private_services import migrate
from tests.integration.restore_drill import DATABASE, Drill, rows

pytestmark = [pytest.mark.integration, pytest.mark.stack]


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
        noted = drill.write_around_a_noted_time(3)
        drill.backup_media()
        drill.at_the_end = rows(drill.url)
        drill.restore_output = drill.restore(noted)
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
