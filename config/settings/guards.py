"""Refusals at start-up, for settings that must not be got wrong: the local settings against a
database that is not on this machine, production with a secret key anyone can read, and the
departments' signing keys in a folder that is served."""

import ipaddress
from pathlib import Path
from urllib.parse import unquote

from django.core.exceptions import ImproperlyConfigured

LOCAL_SECRET_KEY = "local-development-only-not-a-secret"
TEST_SECRET_KEY = "test-only-not-a-secret"
# Keys published in this repository or in Django's templates: never a production secret.
PLACEHOLDER_SECRET_KEYS = {"", "change-me", "changeme", "secret", LOCAL_SECRET_KEY, TEST_SECRET_KEY}
MIN_SECRET_KEY_LENGTH = 32
LOCAL_DATABASE_HOSTS = {"", "127.0.0.1", "localhost", "::1"}


def refuse_remote_database(databases: dict, settings_module: str) -> None:
    """The local settings (DEBUG pages, the published secret key) may only touch a database on this
    machine: SQLite, or PostgreSQL over a Unix socket or the loopback address."""
    for alias, db in databases.items():
        if db["ENGINE"] == "django.db.backends.sqlite3":
            continue
        host = unquote(str(db.get("HOST") or ""))  # a socket's folder may come percent-encoded
        if host in LOCAL_DATABASE_HOSTS or host.startswith("/"):
            continue
        raise ImproperlyConfigured(
            f"{settings_module} (DEBUG pages, a published secret key) refuses the database "
            f"{alias!r} on {host!r}, which is not on this machine. Set "
            "DJANGO_SETTINGS_MODULE=config.settings.production in the environment or in .env, or "
            "point DATABASE_URL at 127.0.0.1, localhost or a socket."
        )


def refuse_placeholder_secret(secret_key: str, fallbacks: list[str]) -> None:
    """Production refuses a secret key that is empty, short or one published here."""
    for name, key in [("DJANGO_SECRET_KEY", secret_key)] + [("DJANGO_SECRET_KEY_FALLBACKS", k) for k in fallbacks]:
        if key.strip().lower() in PLACEHOLDER_SECRET_KEYS or key.startswith("django-insecure"):
            raise ImproperlyConfigured(
                f"{name} is a placeholder or a key published in this repository; production needs a "
                f"secret of its own (at least {MIN_SECRET_KEY_LENGTH} random characters, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
            )
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"{name} is {len(key)} characters long; production needs at least {MIN_SECRET_KEY_LENGTH} "
                "random characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
            )


def refuse_served_private_root(private_root, served_roots: dict) -> None:
    """PRIVATE_ROOT (the departments' seals and signing keys) may not be, or be inside, a folder
    that is served (MEDIA_ROOT, STATIC_ROOT)."""
    private = Path(private_root).resolve()
    for name, root in served_roots.items():
        served = Path(root).resolve()
        if private == served or served in private.parents or private in served.parents:
            raise ImproperlyConfigured(
                f"PRIVATE_ROOT ({private}) and {name} ({served}) overlap: the signing keys would be served. "
                "Give PRIVATE_ROOT a folder of its own outside the served ones."
            )


MIN_METRICS_TOKEN_LENGTH = 24


def refuse_weak_metrics_access(token: str, allowed_ips: list[str]) -> None:
    """/metrics behind a token anyone could guess, or an address list that cannot be read, is
    refused at start-up rather than at the first scrape."""
    if token and len(token) < MIN_METRICS_TOKEN_LENGTH:
        raise ImproperlyConfigured(
            f"METRICS_TOKEN is shorter than {MIN_METRICS_TOKEN_LENGTH} characters; use a long random "
            'value (python -c "import secrets; print(secrets.token_urlsafe(32))").'
        )
    for entry in allowed_ips:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"METRICS_ALLOWED_IPS: {entry!r} is not an address or a network (e.g. 10.0.0.5 or 10.0.0.0/24)."
            ) from None
