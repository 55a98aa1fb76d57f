"""Settings for the test suite: the embedded default unless DATABASE_URL / REDIS_URL are set."""

import copy
import os
import tempfile

from .guards import TEST_SECRET_KEY

os.environ.setdefault("DJANGO_SECRET_KEY", TEST_SECRET_KEY)

from .base import *  # noqa: F403

# The replica alias is the test database itself (a mirror), so the router's tests read what the
# test wrote; replica reads stay off unless a test turns them on (REPLICA_READS).
DATABASES["replica"] = {**copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}}  # noqa: F405
REPLICA_READS = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="chengxin-media-")
PRIVATE_ROOT = tempfile.mkdtemp(prefix="chengxin-private-")
STATIC_ROOT = tempfile.mkdtemp(prefix="chengxin-static-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Unit tests run tasks in-process; integration tests start a real worker instead.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("REDIS_URL")
CELERY_TASK_EAGER_PROPAGATES = True
# Each test makes its own channels in a transaction that is rolled back, which sends no signal:
# a channel kept from the previous test would outlive its row.
CHANNEL_CACHE_SECONDS = 0
INTAKE_GATHER_SECONDS = 0
