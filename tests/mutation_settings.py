"""The unit tests' settings for mutation testing (make mutate): mutmut runs the tests of each mutant
in a process of its own, so the test database is a file made once (pytest --reuse-db) instead of
an in-memory one migrated again for every mutant."""

from pathlib import Path

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

DATABASES["default"]["TEST"] = {"NAME": str(Path(__file__).resolve().parents[1] / "var" / "mutation-tests.sqlite3")}
