"""daphne, with its access log written through Django's LOGGING (config/logs.py) instead of its own
NCSA lines on stdout: one JSON line a request in production, with an ISO time and offset.

    python -m config.serve -b 127.0.0.1 -p 8000 config.asgi:application

takes daphne's own arguments (the Procfile and deploy/systemd/chengxin-web.service start it so).
"""

import logging

from daphne import cli
from daphne.access import AccessLogGenerator

logger = logging.getLogger("daphne.access")


class LoggedAccess(AccessLogGenerator):
    """Each request or socket event as a log record; the client is the TCP peer (nginx's own
    access log and the application's records have the client behind it)."""

    def __init__(self, stream=None):
        super().__init__(stream)

    def write_entry(self, host, date, request, status=None, length=None, ident=None, user=None):
        logger.info(
            "%s %s %s", host, request, status or "-",
            extra={"client": host, "request": request, "status": status, "bytes": length},
        )  # fmt: skip


def main(argv=None) -> None:
    cli.AccessLogGenerator = LoggedAccess  # what daphne's command line builds its access log with
    cli.CommandLineInterface().run(argv)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
