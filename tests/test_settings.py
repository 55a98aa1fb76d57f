import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _import_production(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.production as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE)"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _import_production(DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _import_production(DJANGO_SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_is_secure_by_default():
    result = _import_production(DJANGO_SECRET_KEY="s" * 50, DJANGO_ALLOWED_HOSTS="example.org", DJANGO_DEBUG="true")
    assert result.stdout.split() == ["False", "True"]


# --- settings that cannot be got wrong ------------------------------------------------------

STRONG_KEY = "k3y-" + "x7Q" * 16
SHOW_SETTINGS = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
# Each entry point, as its server starts it: the command line, the ASGI server, the Celery worker.
ENTRY_POINTS = {
    "manage.py": ["manage.py", "shell", "-c", SHOW_SETTINGS],
    "asgi": ["-c", f"import config.asgi; {SHOW_SETTINGS}"],
    "celery": ["-c", f"from config.celery import app; import django; django.setup(); {SHOW_SETTINGS}"],
}


def _run(args: list[str], env_file: Path | None = None, **env) -> subprocess.CompletedProcess:
    """A fresh process with none of this run's settings: only `env` and the file `env_file`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "PYTEST")) and k != "SQLITE_PATH"
    }
    clean["DJANGO_ENV_FILE"] = str(env_file or ROOT / "no-such.env")
    clean.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def _setup(**env) -> subprocess.CompletedProcess:
    return _run(["-c", f"import django; django.setup(); {SHOW_SETTINGS}"], **env)


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_every_entry_point_takes_the_settings_module_from_the_env_file(tmp_path, entry_point):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "DJANGO_SETTINGS_MODULE=config.settings.production\n"
        f"DJANGO_SECRET_KEY={STRONG_KEY}\nDJANGO_ALLOWED_HOSTS=credit.example.gov.cn\n"
        f"SQLITE_PATH={tmp_path / 'db.sqlite3'}\n"
    )
    result = _run(ENTRY_POINTS[entry_point], env_file=env_file)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["config.settings.production", "False"]


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_SETTINGS_MODULE=config.settings.production\n")
    result = _run(ENTRY_POINTS["asgi"], env_file=env_file, DJANGO_SETTINGS_MODULE="config.settings.local",
                  SQLITE_PATH=str(tmp_path / "db.sqlite3"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["config.settings.local", "False"]


def test_without_a_settings_module_anywhere_the_local_settings_run(tmp_path):
    result = _run(ENTRY_POINTS["asgi"], SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["config.settings.local", "False"]


@pytest.mark.parametrize(
    "database_url",
    ["postgres://chengxin@db.example.gov.cn:5432/chengxin", "postgres://chengxin@10.0.3.7:5432/chengxin"],
)
def test_the_local_settings_refuse_a_database_on_another_machine(database_url):
    result = _setup(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=database_url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "refuses the database" in result.stderr
    assert "config.settings.production" in result.stderr


def test_a_production_database_in_the_env_file_does_not_start_the_local_settings(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgres://chengxin@db.example.gov.cn:5432/chengxin\n")
    result = _run(ENTRY_POINTS["manage.py"], env_file=env_file)
    assert result.returncode != 0
    assert "refuses the database" in result.stderr


@pytest.mark.parametrize(
    "database_url",
    [
        "postgres://postgres@127.0.0.1:5432/chengxin",
        "postgres://postgres@localhost/chengxin",
        "postgres://postgres@%2Fvar%2Frun%2Fpostgresql/chengxin",
        "postgres://postgres@/chengxin",
        None,
    ],
)
def test_the_local_settings_run_on_a_database_on_this_machine(tmp_path, database_url):
    env = {"DATABASE_URL": database_url} if database_url else {"SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    result = _setup(DJANGO_SETTINGS_MODULE="config.settings.local", **env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "secret_key",
    ["change-me", "local-development-only-not-a-secret", "test-only-not-a-secret", "", "short-but-random-8Hq2"],
)
def test_production_refuses_a_placeholder_or_short_secret_key(tmp_path, secret_key):
    result = _setup(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS="credit.example.gov.cn",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_placeholder_among_the_former_keys(tmp_path):
    result = _setup(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_SECRET_KEY_FALLBACKS="change-me",
        DJANGO_ALLOWED_HOSTS="credit.example.gov.cn",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY_FALLBACKS" in result.stderr


def test_production_starts_with_a_secret_of_its_own(tmp_path):
    result = _setup(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_ALLOWED_HOSTS="credit.example.gov.cn",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False"]


def test_the_signing_keys_folder_may_not_be_served(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from config.settings.guards import refuse_served_private_root

    media = tmp_path / "media"
    refuse_served_private_root(tmp_path / "private", {"MEDIA_ROOT": media})
    for inside in (media, media / "private", tmp_path):
        with pytest.raises(ImproperlyConfigured, match="PRIVATE_ROOT"):
            refuse_served_private_root(inside, {"MEDIA_ROOT": media})


# --- what `make run` shows for an address that does not exist -------------------------------

UNKNOWN_PAGE = (
    "from config.environment import select_settings; select_settings(); import django; django.setup(); "
    "from django.test import Client; "
    "response = Client().get('/no-such-page/', HTTP_HOST='127.0.0.1'); "
    "print('STATUS', response.status_code); print(response.content.decode())"
)


def test_the_run_settings_show_the_sites_own_page_for_an_unknown_address(tmp_path):
    result = _run(["-c", UNKNOWN_PAGE], SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.returncode == 0, result.stderr
    page = result.stdout.split("STATUS ", 1)[1]
    assert page.startswith("404\n")
    assert "页面不存在" in page
    assert "Using the URLconf" not in page  # Django's debug page
    assert 'class="topbar"' in page


@pytest.mark.parametrize("sweeps", ["0", "-2"])
def test_fewer_than_one_sweep_at_once_refuses_to_start(tmp_path, sweeps):
    result = _setup(DJANGO_SETTINGS_MODULE="config.settings.local", SQLITE_PATH=str(tmp_path / "db.sqlite3"),
                    SWEEP_PARALLEL=sweeps)  # fmt: skip
    assert result.returncode != 0
    assert f"SWEEP_PARALLEL must be 1 or more, not {sweeps}" in result.stderr
