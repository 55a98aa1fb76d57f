"""Settings of the stand-in identity platform. Everything that differs per run comes from the
environment that tests/integration/test_platform_login.py gives the process."""

import json
import os

SECRET_KEY = "identity-platform-test-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.integration.identity_platform.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["PLATFORM_DATABASE"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/login/"
# Browsers keep cookies per host, not per port: the platform's session must not overwrite ours.
SESSION_COOKIE_NAME = "platform_sessionid"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ["PLATFORM_RSA_KEY"],
    "OIDC_ISS_ENDPOINT": os.environ["PLATFORM_ISSUER"],
    "SCOPES": {"openid": "OpenID Connect", "profile": "Profile"},
    "OAUTH2_VALIDATOR_CLASS": "tests.integration.identity_platform.validators.PlatformClaims",
    "PKCE_REQUIRED": True,
}
# The verified facts the platform holds about each of its users, under the platform's own claim names.
PLATFORM_CLAIMS = json.loads(os.environ["PLATFORM_CLAIMS"])
