"""docs/operations.md followed to the letter on this machine (deploy/drill/from_docs.py): a fresh
install behind nginx with TLS, services started from the unit files as the service user, the first
administrators, a signed work order and the clerk's websocket. One drill for the module (minutes:
pip and collectstatic's compression are most of it), each test one thing an operator would look at."""

import json
import os
import subprocess
import sys

import pytest

from tests.integration.conftest import ROOT

pytestmark = [
    pytest.mark.integration,
    pytest.mark.stack,
    pytest.mark.skipif(os.geteuid() != 0, reason="the document is run as root (apt-get, adduser, runuser)"),
]


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    report = tmp_path_factory.mktemp("drill") / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    done = subprocess.run([sys.executable, "deploy/drill/from_docs.py", "--report", str(report)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=3300)  # fmt: skip
    assert report.exists(), done.stderr[-3000:]
    return json.loads(report.read_text())


def test_every_install_block_of_the_document_runs(drill):
    assert drill["install_exit"] == 0, drill["install_tail"]
    assert ">>> all blocks done" in drill["install_tail"]


def test_the_probe_over_plain_http_sees_database_worker_and_beat(drill):
    health = drill["checks"]["healthz_over_http"]
    assert health["status"] == "ok", health
    assert {"database", "redis", "migrations", "worker", "beat"} <= set(health["checks"]), health


def test_https_through_nginx_is_verified_against_the_installed_certificate(drill):
    assert drill["checks"]["healthz_over_https"]["status"] == 200


def test_plain_http_is_sent_to_https(drill):
    redirect = drill["checks"]["http_redirect"]
    assert redirect["status"] == 301 and redirect["location"].startswith("https://"), redirect


def test_nginx_serves_the_collected_static_files(drill):
    served = drill["checks"]["static_served"]
    assert served["status"] == 200 and served["path"].startswith("/static/"), served


def test_the_admin_answers_only_the_allow_list(drill):
    assert drill["checks"]["admin_from_loopback"] == 200
    assert drill["checks"]["admin_allow_list"] == {"admin": 403, "healthz": 200}


def test_the_first_administrator_signs_in_with_a_second_factor(drill):
    seen = drill["checks"]["first_admin_sign_in"]
    assert seen["password_status"] == 302, seen
    assert "/accounts/two-factor/enrol/" in seen["before_second_factor"]["sent_to"], seen  # a password is not enough
    assert seen["recovery_codes_shown"] and seen["home_status"] == 200, seen


def test_a_signed_work_order_through_nginx_becomes_a_case(drill):
    posted = drill["checks"]["work_order_post"]
    assert posted["status"] == 202, posted
    assert drill["checks"]["work_order_status"].get("number"), drill["checks"]["work_order_status"]


def test_the_clerks_websocket_through_nginx_receives_the_new_complaint(drill):
    assert drill["checks"]["websocket_hello"] == "hello"
    notification = drill["checks"]["websocket_notification"]
    assert notification and notification["type"] == "notification", drill["checks"]
    assert drill["checks"]["work_order_status"]["number"] in json.dumps(notification, ensure_ascii=False)


def test_each_service_runs_as_the_service_user_of_its_unit(drill):
    users = drill["checks"]["unit_users"]
    assert set(users) == {"chengxin-web", "chengxin-worker", "chengxin-beat"}
    assert all(names == ["chengxin"] for names in users.values()), users
