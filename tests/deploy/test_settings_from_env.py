"""The production settings read mail, logs, proxies and the probe's checks from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import json, config.settings.production as s; print(json.dumps({name: getattr(s, name) for name in "
    "['EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', "
    "'DEFAULT_FROM_EMAIL', 'SERVER_EMAIL', 'LOG_FORMAT', 'TRUSTED_PROXIES', 'HEALTH_CHECK_WORKERS', "
    "'SECRET_KEY_FALLBACKS', 'SECURE_REDIRECT_EXEMPT']}))"
)


def production_settings(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "LOG_", "TRUSTED_"))}
    clean.update(DJANGO_ENV_FILE="/nonexistent", DJANGO_SECRET_KEY="k" * 50, DJANGO_ALLOWED_HOSTS="example.org", **env)
    result = subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_mail_settings_come_from_the_environment():
    values = production_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="smtp.example.gov.cn",
        EMAIL_PORT="587", EMAIL_HOST_USER="chengxin", EMAIL_HOST_PASSWORD="pw-1", EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="chengxin@example.gov.cn",
    )  # fmt: skip
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("smtp.example.gov.cn", 587)
    assert (values["EMAIL_HOST_USER"], values["EMAIL_HOST_PASSWORD"]) == ("chengxin", "pw-1")
    assert values["EMAIL_USE_TLS"] is True
    assert values["DEFAULT_FROM_EMAIL"] == values["SERVER_EMAIL"] == "chengxin@example.gov.cn"


def test_production_logs_json_and_checks_the_worker_and_beat_unless_told_otherwise():
    values = production_settings()
    assert values["LOG_FORMAT"] == "json"
    assert values["HEALTH_CHECK_WORKERS"] is True
    values = production_settings(LOG_FORMAT="text", HEALTH_CHECK_WORKERS="false")
    assert (values["LOG_FORMAT"], values["HEALTH_CHECK_WORKERS"]) == ("text", False)


def test_production_trusts_the_nginx_on_this_host_only_unless_told_otherwise():
    assert production_settings()["TRUSTED_PROXIES"] == ["127.0.0.1", "::1"]
    assert production_settings(TRUSTED_PROXIES="10.0.0.5")["TRUSTED_PROXIES"] == ["10.0.0.5"]
    assert production_settings(TRUSTED_PROXY_COUNT="2")["TRUSTED_PROXIES"] == []


def test_former_secret_keys_come_from_the_environment():
    values = production_settings(DJANGO_SECRET_KEY_FALLBACKS="a" * 40 + "," + "b" * 40)
    assert values["SECRET_KEY_FALLBACKS"] == ["a" * 40, "b" * 40]


def test_only_healthz_is_exempt_from_the_https_redirect():
    assert production_settings()["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]
