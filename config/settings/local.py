"""The embedded default that `make run` uses: SQLite, in-memory layer, a local secret. It refuses
to start against a database that is not on this machine (config/settings/guards.py).

DEBUG is off unless DJANGO_DEBUG=true: a person trying the system sees the site's own 404 and 500
pages (templates/404.html, 500.html), not Django's debug pages. Static files are served by
WhiteNoise either way, from the app folders when they were not collected."""

import os

from .guards import LOCAL_SECRET_KEY, refuse_remote_database

os.environ.setdefault("DJANGO_SECRET_KEY", LOCAL_SECRET_KEY)
os.environ.setdefault("DJANGO_DEBUG", "false")

from .base import *  # noqa: F403

refuse_remote_database(DATABASES, __name__)  # noqa: F405

# Static files straight from the app folders, so the pages keep their style with DEBUG off even
# before `collectstatic` (which `make run` does anyway).
WHITENOISE_USE_FINDERS = True
