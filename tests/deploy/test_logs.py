"""Every process logs one line a record with an ISO 8601 time and offset: JSON in production."""

import io
import json
import logging
import logging.config
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from config.logs import logging_config
from config.serve import LoggedAccess

ROOT = Path(__file__).resolve().parents[2]
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$")


@pytest.fixture
def captured():
    """The LOGGING of a format, writing to a buffer; the test's own logging put back after."""
    saved = logging.getLogger().handlers[:], logging.getLogger().level
    stream = io.StringIO()

    def configure(log_format):
        config = logging_config(log_format, "INFO")
        config["handlers"]["stdout"]["stream"] = stream
        logging.config.dictConfig(config)
        return stream

    yield configure
    root = logging.getLogger()
    root.handlers, root.level = saved


def test_a_json_record_is_one_line_with_an_iso_time_and_its_offset(captured):
    stream = captured("json")
    logging.getLogger("cases.test").warning("sealed %s", "x")
    record = json.loads(stream.getvalue().strip())
    assert ISO_WITH_OFFSET.match(record["time"]), record["time"]
    assert datetime.fromisoformat(record["time"]).utcoffset() is not None
    assert (record["level"], record["logger"], record["message"]) == ("WARNING", "cases.test", "sealed x")


def test_a_text_record_starts_with_the_iso_time(captured):
    stream = captured("text")
    logging.getLogger("cases.test").warning("hello")
    time, rest = stream.getvalue().split(" ", 1)
    assert ISO_WITH_OFFSET.match(time) and rest.strip() == "WARNING cases.test hello"


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config("xml", "INFO")


def test_daphnes_access_log_is_a_json_record(captured):
    stream = captured("json")
    LoggedAccess()("http", "complete", {"client": "127.0.0.1:5000", "method": "GET", "path": "/healthz",
                                        "status": 200, "size": 42})  # fmt: skip
    record = json.loads(stream.getvalue().strip())
    assert record["logger"] == "daphne.access" and ISO_WITH_OFFSET.match(record["time"])
    assert (record["request"], record["status"], record["bytes"]) == ("GET /healthz", 200, 42)


def test_celery_logs_through_djangos_logging_in_json():
    """A worker process (Celery's own logging set-up, as the worker and beat run it) writes JSON."""
    script = (
        "from config.celery import app; import logging; "
        "app.log.setup(loglevel='INFO'); logging.getLogger('celery.worker').warning('ready')"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOG_"))}
    env.update(DJANGO_ENV_FILE="/nonexistent", DJANGO_SETTINGS_MODULE="config.settings.local", LOG_FORMAT="json")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [("celery.worker", "ready")]
    assert ISO_WITH_OFFSET.match(lines[0]["time"])
