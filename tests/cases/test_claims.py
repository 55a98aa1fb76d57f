"""Claim, work, release: one caseworker holds a case at a time."""

import pytest

from cases.core import services
from cases.core.exceptions import Conflict, NotFound, NotPermitted
from cases.core.models import AuditEvent
from cases.core.roles import Role
from tests.factories import CaseFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(db):
    return CaseFactory(kind="repair", state="submitted")


@pytest.fixture
def two(db):
    return StaffFactory(username="a"), StaffFactory(username="b")


def test_the_first_to_claim_holds_the_case(case, two):
    first, second = two
    services.claim_case(case_id=case.pk, actor=first)
    with pytest.raises(Conflict) as exc:
        services.claim_case(case_id=case.pk, actor=second)
    assert str(first) in str(exc.value.message)
    case.refresh_from_db()
    assert case.assignee == first
    assert AuditEvent.objects.filter(event_type="case.claimed").count() == 1


def test_claiming_again_is_harmless(case, two):
    services.claim_case(case_id=case.pk, actor=two[0])
    services.claim_case(case_id=case.pk, actor=two[0])
    assert AuditEvent.objects.filter(event_type="case.claimed").count() == 1


def test_only_the_holder_or_the_head_releases(case, two):
    first, second = two
    services.claim_case(case_id=case.pk, actor=first)
    with pytest.raises(NotPermitted):
        services.release_case(case_id=case.pk, actor=second)
    services.release_case(case_id=case.pk, actor=StaffFactory(username="head", role=Role.DEPARTMENT_HEAD))
    case.refresh_from_db()
    assert case.assignee is None


def test_another_departments_case_cannot_be_claimed(case):
    with pytest.raises(NotFound):
        services.claim_case(case_id=case.pk, actor=StaffFactory(department__code="fgj"))


def test_the_queue_offers_claim_and_filters_mine(client, case, two):
    first, _second = two
    client.force_login(first)
    assert f"/cases/{case.pk}/claim/" in client.get("/repair/queue/").content.decode()
    client.post(f"/cases/{case.pk}/claim/", {"next": "/repair/queue/?holder=mine"})
    page = client.get("/repair/queue/", {"holder": "mine"}).content.decode()
    assert case.number in page and f"/cases/{case.pk}/release/" in page


def test_a_claim_taken_by_someone_else_goes_back_with_who_holds_it(client, case, two):
    first, second = two
    services.claim_case(case_id=case.pk, actor=first)
    client.force_login(second)
    response = client.post(f"/cases/{case.pk}/claim/", follow=True)
    assert f"{first} 正在办理此案件。" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee == first
