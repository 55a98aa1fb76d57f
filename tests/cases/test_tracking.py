"""Public tracking by case number and verification code."""

import pytest
from django.core.cache import cache

from cases.core import services
from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def case(db, caseworker):
    applicant = ApplicantFactory(full_name="张经理")
    opened = services.open_case(kind="repair", title="甘市监罚〔2026〕12号 信用修复", actor=applicant,
                                applicant=applicant, department=caseworker.department, state="submitted")  # fmt: skip
    services.claim_case(case_id=opened.pk, actor=caseworker)
    return opened


def test_the_number_and_code_show_the_public_status(client, case):
    page = client.get("/track/", {"number": case.number, "code": case.verification_code}).content.decode()
    assert case.number in page and "已提交" in page and "生成工单" in page


def test_no_personal_data_and_no_internal_steps(client, case):
    page = client.get("/track/", {"number": case.number, "code": case.verification_code}).content.decode()
    assert "张经理" not in page and case.applicant.id_number not in page
    assert "承办人认领" not in page


def test_a_wrong_code_finds_nothing(client, case):
    page = client.get("/track/", {"number": case.number, "code": "WRONG123"}).content.decode()
    assert "没有与该案件编号和查询码相符的案件" in page and "已提交" not in page


def test_look_ups_are_rate_limited(client, case):
    for _ in range(20):
        client.get("/track/", {"number": case.number, "code": "WRONG123"})
    response = client.get("/track/", {"number": case.number, "code": case.verification_code})
    assert response.status_code == 429
    assert "已提交" not in response.content.decode()
