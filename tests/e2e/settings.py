"""Settings for the browser tests, used by the test run itself and by the daphne and Celery worker
processes it starts (`make test-e2e` sets DJANGO_SETTINGS_MODULE=tests.e2e.settings).

The test settings on PostgreSQL and Redis, with everything shared through Redis named after this
run (channel-layer groups, cache keys, the Celery queue) and a database of the run's own, so that a
run never sees the pushes, tasks or rows of another run on the same services. The run's name and
its media folder are put in the environment here, so the processes the run starts inherit them.
"""

import os
import tempfile
import uuid

RUN = os.environ.setdefault("CHENGXIN_E2E_RUN", uuid.uuid4().hex[:8])
# Made by the first upload, removed by the run's teardown.
os.environ.setdefault("CHENGXIN_E2E_MEDIA", os.path.join(tempfile.gettempdir(), f"chengxin-e2e-{RUN}-media"))

from config.settings.test import *  # noqa: E402, F403

# Uploaded materials and notices: one folder for the test run, the web server and the worker.
MEDIA_ROOT = os.environ["CHENGXIN_E2E_MEDIA"]
# Departments' seals and signing keys: one folder for the run too (made only if one is uploaded).
PRIVATE_ROOT = os.path.join(tempfile.gettempdir(), f"chengxin-e2e-{RUN}-private")
DATABASES["default"]["TEST"] = {"NAME": f"test_chengxin_e2e_{RUN}"}  # noqa: F405
if REDIS_URL:  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"e2e{RUN}"  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"e2e{RUN}"  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = f"e2e-{RUN}"
# Every task to the run's own queue, which its one worker consumes: the named production queues
# (intake, delivery, sweep) are shared by every run on this Redis.
CELERY_TASK_ROUTES = {}
# daphne serves the static files from the app folders, with DEBUG off and no collectstatic.
WHITENOISE_USE_FINDERS = True
