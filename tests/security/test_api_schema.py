"""Schemathesis over /api/schema/: every operation, fed generated input (valid and not), answers
without a server error and as its schema says. The application runs in-process (WSGI), on the
test database; a caseworker's session (with its CSRF token) carries the staff operations and the
channel operations are signed like a channel's system signs them. A second run sends the channel
operations exactly as generated, bad signature headers and all.

Bounded: at most MAX_EXAMPLES generated cases per operation and run (`make test` runs it).
"""

import copy
import io
import json

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import get_path_info
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from cases.complaints.models import Channel
from tests.channel_signing import as_meta, signed_headers
from tests.factories import StaffFactory

MAX_EXAMPLES = 25
CHANNEL, SECRET = "api-test", "api-test-secret"
SIGNED_PATHS = ("/api/v1/complaints/", "/api/v1/repair-applications/")


class SignedLikeAChannel:
    """WSGI middleware: signs each request to the channel operations as the channel's system does
    (over the body exactly as sent), replacing the generated signature headers."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(SIGNED_PATHS):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            path = get_path_info(environ) + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
            headers = signed_headers(environ["REQUEST_METHOD"], path, body, secret=SECRET, code=CHANNEL)
            environ.update(as_meta(headers))
        return self.app(environ, start_response)


@pytest.fixture
def django_app():
    """Requests through Django's WSGI handler must not close the test's database connection
    between requests (Django's own test client keeps it open the same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def caller(db):
    """A caseworker's session and CSRF token, and the signing channel."""
    Channel.objects.create(code=CHANNEL, name="接口测试渠道", secret=SECRET, pushes_repair_applications=True)
    client = Client()
    client.force_login(StaffFactory(username="api-caller", department__code="scjg"))
    token = _get_new_csrf_string()
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token},
    }


def _spec() -> dict:
    """The OpenAPI document /api/schema/ serves (test_the_schema_tested_is_the_one_served checks it),
    made at collection so that each operation is a test of its own."""
    import django

    django.setup()
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


class DjangoApp:
    """Django's WSGI handler, made on first use (after pytest-django has set up the test database)."""

    handler = None

    def __call__(self, environ, start_response):
        if DjangoApp.handler is None:
            DjangoApp.handler = get_wsgi_application()
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")  # as a real server sets it
        return DjangoApp.handler(environ, start_response)


SPEC = _spec()
BOUNDED = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))  # fmt: skip

# Checks that do not fit these runs, each for its reason:
NOT_FOR_US = [
    # The credentials are given by this test, so generated "invalid auth" never reaches the API.
    ignored_auth,
    # The API checks more than a schema can say (USCC check characters, the policy's subject
    # codes, dates in order): schema-valid input is often refused with 400, rightly.
    positive_data_acceptance,
]
SIGNATURE_HEADERS = {"X-Channel", "X-Timestamp", "X-Nonce", "X-Signature"}


def _signed_by_the_transport(spec: dict) -> dict:
    """The document with the signature headers left to the signing middleware, like the session
    cookie is left to the caller (neither is generated nor mutated by Schemathesis)."""
    spec = copy.deepcopy(spec)
    for operations in spec["paths"].values():
        for operation in operations.values():
            operation["parameters"] = [p for p in operation.get("parameters", []) if p["name"] not in SIGNATURE_HEADERS]
    return spec


AUTH_GIVEN = SchemathesisConfig.from_dict({"generation": {"with-security-parameters": False}})
signed = schemathesis.openapi.from_dict(_signed_by_the_transport(SPEC), config=AUTH_GIVEN)
signed.app = SignedLikeAChannel(DjangoApp())
anonymous = schemathesis.openapi.from_dict(SPEC)
anonymous.app = DjangoApp()


def test_the_schema_tested_is_the_one_served(client):
    assert client.get("/api/schema/?format=json").json() == SPEC


@signed.parametrize()
@BOUNDED
def test_every_operation_signed_in_or_signed(case, django_app, caller):
    """A caseworker's session for the staff operations, a channel's signature for the channel's."""
    case.call_and_validate(headers=caller["headers"], cookies=caller["cookies"], excluded_checks=NOT_FOR_US)


@anonymous.parametrize()
@BOUNDED
def test_every_operation_as_generated_without_credentials(case, django_app, caller, settings):
    """No session; the channel operations with whatever signature headers were generated (each
    reaches the signature check: the hold-off after repeated failures is tested in test_expiry)."""
    settings.CHANNEL_SIGNATURE_FAILURE_LIMIT = 100_000
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


# What the runs above found, pinned down one by one.


@pytest.mark.parametrize("page", ["", "0", "-1", "abc", "1.0"])
def test_a_page_that_is_not_a_whole_number_from_1_is_refused(client, caller, page):
    client.force_login(StaffFactory(username="reader"))
    assert client.get("/api/v1/departments/", {"page": page}).status_code == 404
    assert client.get("/api/v1/departments/", {"page": "1"}).status_code == 200


def test_a_query_parameter_given_twice_is_refused(client, caller):
    client.force_login(StaffFactory(username="reader"))
    response = client.get("/api/v1/working-days/?start=2026-01-05&days=1&days=5")
    assert response.status_code == 400 and "days" in response.json()


@pytest.mark.parametrize("days", ["5.0", "true", "1e2"])
def test_working_days_wants_a_whole_number(client, caller, days):
    client.force_login(StaffFactory(username="reader"))
    assert client.get("/api/v1/working-days/", {"start": "2026-01-05", "days": days}).status_code == 400


def test_the_api_reads_json_only(client, caller):
    client.force_login(StaffFactory(username="writer", department__code="scjg"))
    response = client.post("/api/v1/records/", {"party_kind": "enterprise"})
    assert response.status_code == 415


def test_a_text_field_wants_a_json_string(client, caller):
    client.force_login(StaffFactory(username="writer", department__code="scjg"))
    data = {"party_kind": "enterprise", "party_name": "甲公司", "party_id_number": "91350100M000100Y43",
            "record_type": "penalty", "decision_number": "罚1", "decided_on": "2026-03-02", "severity": "general",
            "summary": 0}  # fmt: skip
    response = client.post("/api/v1/records/", data, content_type="application/json")
    assert response.status_code == 400 and "summary" in response.json()


def test_an_amount_wants_a_string_not_a_json_number(client, caller):
    body = json.dumps({"reference": "R-1", "complainant_name": "张经理", "enterprise_name": "甲公司",
                       "enterprise_uscc": "91350100M000100Y43", "respondent": "区某街道办事处", "subject": "arrears",
                       "facts": "工程款未付。", "amount_claimed": 0.1}).encode()  # fmt: skip
    headers = signed_headers("POST", "/api/v1/complaints/", body, secret=SECRET, code=CHANNEL)
    response = client.post("/api/v1/complaints/", body, content_type="application/json", headers=headers)
    assert response.status_code == 400 and "amount_claimed" in response.json()


def test_every_error_answer_is_in_the_schema():
    documented = {(path, method, status) for path, operations in SPEC["paths"].items()
                  for method, operation in operations.items() for status in operation["responses"]}  # fmt: skip
    assert {("/api/v1/complaints/", "post", "401"), ("/api/v1/complaints/", "post", "429"),
            ("/api/v1/records/", "post", "400"), ("/api/v1/me/", "get", "403"),
            ("/api/v1/departments/", "get", "404")} <= documented  # fmt: skip
