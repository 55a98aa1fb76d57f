"""Production: no default secret (and none of the published ones), DEBUG off, secure cookies,
hosts from the environment."""

import os

# Django's connection pool under the ASGI server unless the operator turns it off.
os.environ.setdefault("DATABASE_POOL", "true")

from config.logs import logging_config

from .base import *  # noqa: F403
from .base import LOG_LEVEL, SECRET_KEY, SECRET_KEY_FALLBACKS, TRUSTED_PROXY_COUNT, env
from .guards import refuse_placeholder_secret

refuse_placeholder_secret(SECRET_KEY, SECRET_KEY_FALLBACKS)

DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# daphne listens on the loopback address behind nginx on this host (deploy/): that nginx is the one
# proxy believed, so the client is the address it wrote into X-Forwarded-For
# (cases/infra/client_address.py). TRUSTED_PROXIES or TRUSTED_PROXY_COUNT name others.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[] if TRUSTED_PROXY_COUNT else ["127.0.0.1", "::1"])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# The load balancer's and nginx's probes reach /healthz over plain HTTP (deploy/nginx/chengxin.conf).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# JSON lines for the journal and log collectors (config/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
# The worker and beat share Redis with the web server: /healthz reports them.
HEALTH_CHECK_WORKERS = env.bool("HEALTH_CHECK_WORKERS", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}
