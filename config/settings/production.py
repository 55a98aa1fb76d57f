"""Production: no default secret (and none of the published ones), DEBUG off, secure cookies,
hosts from the environment."""

import os

# Django's connection pool under the ASGI server unless the operator turns it off.
os.environ.setdefault("DATABASE_POOL", "true")

from .base import *  # noqa: F403
from .base import SECRET_KEY, SECRET_KEY_FALLBACKS, env
from .guards import refuse_placeholder_secret

refuse_placeholder_secret(SECRET_KEY, SECRET_KEY_FALLBACKS)

DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}
