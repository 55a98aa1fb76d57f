"""Markup typed into any free-text field (names, facts, reasons, notice items) comes out as text:
escaped on every page, for every role, and in the HTML the PDF notices are drawn from."""

import pytest
from django.db import transaction

from cases.core import documents
from cases.core.models import Notice, NoticeKind
from cases.repair import services as repair
from tests.security.access_table import TABLE
from tests.security.conftest import ROLES, world_for_module

pytestmark = pytest.mark.django_db

MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#x27;"


@pytest.fixture(scope="module")
def hostile_world(django_db_setup, django_db_blocker):
    """The access table's world with markup in every name, fact and reason people type."""
    with world_for_module(django_db_blocker, text=MARKUP) as world:
        yield world


def pages() -> list:
    return [(row, role) for row in TABLE if row.method == "GET" for role in ROLES if row.expect[role] == 200]


def test_markup_is_inert_on_every_page_for_every_role(hostile_world):
    world, live, shown = hostile_world, [], set()
    for row, role in pages():
        with transaction.atomic():
            response = world.clients[role].get(row.filled_url(world))
            transaction.set_rollback(True)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # JSON, PDF, CSV: not run by a browser (test_the_api_answers_data_not_pages)
        body = response.content.decode()
        if "<script>alert(1)" in body or "<img src=x" in body:
            live.append(f"{row.url} as {role}")
        if ESCAPED in body:
            shown.add(row.route)
    assert not live, "markup came out live on: " + ", ".join(live)
    # The markup did reach the pages that show what people typed (shown as text).
    assert {"cases/<str:number>/", "complaints/<str:number>/", "repair/<str:number>/", "records/",
            "supervision/orders/", "complaints/"} <= shown  # fmt: skip


def test_the_api_answers_data_not_pages(hostile_world):
    """The API returns what was typed, as JSON that no browser renders as a page."""
    response = hostile_world.clients["x"].get("/api/v1/records/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert all(record["party_name"].endswith(MARKUP) for record in response.json()["results"])


def test_the_items_of_a_one_time_notice_are_inert_on_the_application_page(hostile_world):
    world = hostile_world
    with transaction.atomic():
        repair.issue_incomplete_notice(actor=world.users["x"], application_id=world.repair_case.repair.pk,
                                       missing=[{"code": "commitment", "reason": f"签名不清{MARKUP}"}])  # fmt: skip
        page = world.clients["a"].get(f"/repair/{world.repair_case.number}/").content.decode()
        transaction.set_rollback(True)
    assert f"签名不清{ESCAPED}" in page and "<script>alert(1)" not in page


@pytest.fixture
def html_given_to_the_pdf_engine(monkeypatch):
    """What documents.render_pdf hands to WeasyPrint (the PDF itself is not drawn: it is the HTML
    that decides whether markup is text)."""
    import weasyprint

    seen = []

    class Spy:
        def __init__(self, string):
            seen.append(string)

        def write_pdf(self):
            return b"%PDF-1.7 spy"

    monkeypatch.setattr(weasyprint, "HTML", Spy)
    return seen


FACT_KEYS = ["case", "contact_line", "decide_within", "decided_on", "decision_number", "department", "display_until",
             "identifier", "issued_on", "party", "published_from", "reason", "record_type", "remedy_clause",
             "repairable_from", "severity", "submitted_on", "summary"]  # fmt: skip


@pytest.mark.parametrize("kind", NoticeKind.values)
def test_markup_in_a_notices_facts_is_text_in_the_pdf(html_given_to_the_pdf_engine, kind):
    facts = dict.fromkeys(FACT_KEYS, MARKUP)
    facts["missing"] = [{"name": MARKUP, "reason": MARKUP}]
    documents.render_pdf(Notice(kind=kind, number=f"TS2026000001{MARKUP}", facts=facts))
    [html] = html_given_to_the_pdf_engine
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert ESCAPED in html


def test_the_notice_of_a_hostile_record_is_drawn_by_the_real_engine(hostile_world):
    """End to end: the notice sent with a record whose party, number and facts hold markup."""
    with transaction.atomic():
        Notice.objects.filter(pk=hostile_world.record_notice.pk).update(pdf="")
        notice = Notice.objects.get(pk=hostile_world.record_notice.pk)
        assert MARKUP in notice.facts["party"]
        assert documents.pdf_of(notice).startswith(b"%PDF-")
        transaction.set_rollback(True)
