"""Which settings a process runs with, decided in one place for manage.py, asgi.py and celery.py.

Every variable may come from the environment or from the `.env` file at the top (or the file
DJANGO_ENV_FILE names); the environment wins. DJANGO_SETTINGS_MODULE is one of them: a server
started without the shell's export still runs the settings its .env names. Without either, the
local settings, which refuse to run against a database that is not on this machine.
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS_MODULE = "config.settings.local"


def env_file() -> Path:
    return Path(os.environ.get("DJANGO_ENV_FILE") or BASE_DIR / ".env")


def load_env_file() -> None:
    """Put the .env file's variables into the environment, where they are not set already."""
    path = env_file()
    if path.exists():
        environ.Env.read_env(path)


def select_settings() -> str:
    """Load the .env file and settle DJANGO_SETTINGS_MODULE; returns it."""
    load_env_file()
    return os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS_MODULE)
