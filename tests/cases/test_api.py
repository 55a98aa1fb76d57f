import pytest

pytestmark = pytest.mark.django_db


def test_me_returns_roles_and_department(client, caseworker):
    client.force_login(caseworker)
    body = client.get("/api/v1/me/").json()
    assert body["roles"] == ["caseworker"]
    assert body["department"]["code"] == "scjg"


def test_the_api_refuses_anonymous_callers(client):
    response = client.get("/api/v1/me/")
    assert response.status_code == 403


def test_working_days_over_national_day(client, applicant):
    client.force_login(applicant)
    body = client.get("/api/v1/working-days/", {"start": "2025-09-26", "days": 5}).json()
    assert body == {"start": "2025-09-26", "days": 5, "due": "2025-10-10", "calendar_missing_years": []}


def test_working_days_names_a_year_without_schedule(client, applicant):
    client.force_login(applicant)
    body = client.get("/api/v1/working-days/", {"start": "2031-12-30", "days": 3}).json()
    assert body["calendar_missing_years"] == [2031, 2032]


def test_working_days_rejects_a_bad_date_with_the_field_named(client, applicant):
    client.force_login(applicant)
    response = client.get("/api/v1/working-days/", {"start": "2025-02-30", "days": 5})
    assert response.status_code == 400
    assert "start" in response.json()


def test_departments_lists_the_seeded_units(client, applicant):
    client.force_login(applicant)
    body = client.get("/api/v1/departments/").json()
    assert body["count"] == 30
    assert "区营商环境建设局" in [d["name_zh"] for d in body["results"]]


def test_the_openapi_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/working-days/" in response.content
