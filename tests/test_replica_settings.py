"""DATABASE_REPLICA_URL adds the `replica` alias, configured like the primary; unset, there is none."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({'aliases': sorted(settings.DATABASES), 'reads': settings.REPLICA_READS, "
    "'lag': settings.REPLICA_MAX_LAG_SECONDS, 'replica': settings.DATABASES.get('replica')}, default=str))"
)


def production(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REPLICA_", "PYTEST"))}
    clean.update(
        DJANGO_ENV_FILE=str(ROOT / "no-such.env"),
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="k3y-" + "x7Q" * 16,
        DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL="postgres://chengxin@10.0.0.1:5432/chengxin",
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_without_a_replica_url_every_read_stays_on_the_primary():
    shown = production()
    assert shown["aliases"] == ["default"]
    assert shown["reads"] is False


def test_the_replica_is_configured_like_the_primary():
    shown = production(DATABASE_REPLICA_URL="postgres://reader@10.0.0.2:5433/chengxin", REPLICA_MAX_LAG_SECONDS="2.5")
    replica = shown["replica"]
    assert shown["aliases"] == ["default", "replica"] and shown["reads"] is True
    assert (replica["HOST"], replica["PORT"], replica["USER"], replica["NAME"]) == (
        "10.0.0.2",
        5433,
        "reader",
        "chengxin",
    )
    assert replica["ENGINE"] == "config.postgresql" and replica["OPTIONS"]["pool"]["max_size"] == 10
    assert replica["OPTIONS"]["connect_timeout"] == 3
    assert shown["lag"] == 2.5
