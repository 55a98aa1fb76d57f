"""CSRF: every form and every POST of the access table is refused without the token, and every
form the pages show carries one."""

import re

import pytest
from django.db import transaction
from django.test import Client

from cases.core.models import AuditEvent
from tests.security.access_table import TABLE, Row
from tests.security.conftest import ROLES

pytestmark = pytest.mark.django_db

# Taken without a CSRF token, each for its reason.
NO_TOKEN_NEEDED = {
    "api/v1/complaints/": "the channels' systems sign each request (HMAC); no cookie, so nothing to forge",
    "api/v1/complaints/<str:reference>/feedback/": "signed by the channel like the intake (HMAC); no cookie",
    "api/v1/complaints/<str:reference>/withdrawal/": "signed by the channel like the intake (HMAC); no cookie",
    "api/v1/repair-applications/": "the national single window signs each push like the channels (HMAC); no cookie",
}
SUCCESS = (200, 201, 302)


def posted_rows() -> list[Row]:
    return [row for row in TABLE if (row.method == "POST" or row.form) and row.route not in NO_TOKEN_NEEDED]


def first_role_let_in(row: Row) -> str:
    """The role for whom the request would go through: a refusal must then be the token's doing."""
    return next((role for role in ROLES if row.expect[role] in SUCCESS), "anon")


def test_what_needs_no_token_is_said_with_a_reason():
    assert all(reason for reason in NO_TOKEN_NEEDED.values())
    assert {row.route for row in TABLE} >= set(NO_TOKEN_NEEDED)


@pytest.mark.parametrize("row", posted_rows(), ids=lambda row: row.url)
def test_a_post_without_the_token_is_refused(module_world, row):
    world, role = module_world, first_role_let_in(row)
    with transaction.atomic():
        if row.prepare:
            getattr(world, row.prepare)()
        client = Client(enforce_csrf_checks=True)
        if world.user(role) is not None:
            client.force_login(world.user(role))
        events = AuditEvent.objects.count()
        response = row.post(client, world)
        assert response.status_code == 403, (role, response.status_code)
        assert "CSRF" in response.content.decode()
        assert AuditEvent.objects.count() == events
        transaction.set_rollback(True)


FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
POST_METHOD = re.compile(r"""method\s*=\s*["']?post""", re.I)


def shown_pages() -> list[tuple[Row, str]]:
    return [(row, role) for row in TABLE if row.method == "GET" for role in ROLES if row.expect[role] == 200]


def test_every_form_on_every_page_carries_the_token(module_world):
    """Each page as each role who may open it: every form that posts has a csrfmiddlewaretoken."""
    world, missing, forms_seen = module_world, [], 0
    for row, role in shown_pages():
        with transaction.atomic():
            response = world.clients[role].get(row.filled_url(world))
            transaction.set_rollback(True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for form in FORM.findall(response.content.decode()):
            opening = form[: form.index(">") + 1]
            if POST_METHOD.search(opening):
                forms_seen += 1
                if "csrfmiddlewaretoken" not in form:
                    missing.append(f"{row.url} as {role}: {opening}")
    assert forms_seen > 20  # the check looked at the pages' forms, not at nothing
    assert not missing, "forms without a CSRF token:\n" + "\n".join(missing)
