"""Run the stand-in identity platform: migrate its own SQLite database, create its users and the
client (from the environment), and serve HTTP on 127.0.0.1:<port> until killed.

    python -m tests.integration.identity_platform.serve <port>
"""

import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main(port: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.integration.identity_platform.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for username in settings.PLATFORM_CLAIMS:
        get_user_model().objects.get_or_create(username=username)
    Application.objects.get_or_create(
        client_id=os.environ["PLATFORM_CLIENT_ID"],
        defaults={
            "name": "chengxin",
            "client_secret": os.environ["PLATFORM_CLIENT_SECRET"],
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": os.environ["PLATFORM_REDIRECT_URI"],
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
        },
    )
    server = make_server("127.0.0.1", port, get_wsgi_application(), handler_class=QuietHandler)
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
