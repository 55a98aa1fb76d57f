"""Log records as one line each, with the time in ISO 8601 and its offset from UTC
("2026-12-03T16:48:12.345+08:00"): JSON for the journal and log collectors (LOG_FORMAT=json, the
production default) or plain text for a terminal (`make run`). The web server, its access log
(config/serve.py), the Celery worker and beat all go through Django's LOGGING (config/celery.py)."""

import logging
from datetime import datetime

from pythonjsonlogger.json import JsonFormatter


def iso_time(record: logging.LogRecord) -> str:
    """The record's time in the process's time zone (Django sets TIME_ZONE), with its offset."""
    return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    def formatTime(self, record, datefmt=None):
        return iso_time(record)


class JsonLineFormatter(JsonFormatter):
    def formatTime(self, record, datefmt=None):
        return iso_time(record)


def logging_config(log_format: str, level: str) -> dict:
    """Django's LOGGING for `log_format` ("json" or "text")."""
    if log_format not in ("json", "text"):
        raise ValueError(f'LOG_FORMAT must be "json" or "text", not {log_format!r}')
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "config.logs.JsonLineFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
            },
            "text": {"()": "config.logs.TextFormatter", "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": log_format}
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "daphne": {"level": "WARNING"},
            # One line a request or socket event (config/serve.py).
            "daphne.access": {"level": "INFO"},
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }
