"""A database of the flat layout (commit 0403a86, before cases/ became sub-apps) with the demo data,
migrated by this tree on PostgreSQL: every row, process, task and audit event is still there, the
audit trail verifies, and no migration is left unapplied. See bench/_layout.py for what is compared."""

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench import _layout

# Two trees' migrations and the demo data: minutes on a loaded machine, more than a service test's default.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]


def server_and_name() -> tuple[str, str]:
    """The PostgreSQL server of this run, and a database name of the run's own beside its test
    database (e.g. he_layout_<random> for DATABASE_URL=.../he)."""
    url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
    base = url.path.lstrip("/") or "test"
    return urlunsplit(url._replace(path="")), f"{base}_layout_{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """The flat layout's database with the demo data, its snapshot, then this tree's migrate."""
    try:
        old = _layout.old_tree(tmp_path_factory.mktemp("flat-layout"))
    except _layout.OldTreeMissing as missing:
        pytest.skip(f"no flat layout to migrate from: {missing}")
    server, name = server_and_name()
    url = _layout.create_database(server, name)
    try:
        _layout.manage(old, url, "migrate", "--noinput")
        _layout.manage(old, url, "seed_demo")
        before = _layout.snapshot(url)
        _layout.manage(_layout.ROOT, url, "migrate", "--noinput")
        yield before, url
    finally:
        _layout.drop_database(server, name)


def test_the_demo_database_has_cases_processes_tasks_and_audit_events(migrated):
    before, _url = migrated
    for table in ("cases_case", "cases_auditevent", "viewflow_process", "viewflow_task", "workflows_caseprocess"):
        assert before.count(table) > 0, table


def test_every_row_of_the_flat_layout_is_intact_after_migrate(migrated):
    before, url = migrated
    assert _layout.compare(before, url) == []


def test_the_audit_trail_verifies_after_migrate(migrated):
    before, url = migrated
    verified = _layout.manage(_layout.ROOT, url, "verify_audit")
    assert f"audit trail intact: {before.tables['cases_auditchainhead'].rows:,} chains, " in verified.stdout
    assert f"{before.count('cases_auditevent'):,} events" in verified.stdout


def test_no_migration_is_left_unapplied(migrated):
    _before, url = migrated
    assert _layout.unapplied(_layout.ROOT, url) == []
