import os
import subprocess
import sys
from pathlib import Path

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
