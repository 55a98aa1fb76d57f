"""The embedded default that `make run` uses: SQLite, in-memory layer, a local secret. It refuses
to start against a database that is not on this machine (config/settings/guards.py)."""

import os

from .guards import LOCAL_SECRET_KEY, refuse_remote_database

os.environ.setdefault("DJANGO_SECRET_KEY", LOCAL_SECRET_KEY)
os.environ.setdefault("DJANGO_DEBUG", "true")

from .base import *  # noqa: F403

refuse_remote_database(DATABASES, __name__)  # noqa: F405
