import base64
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_otp.oath import totp

from cases.core.models import Department, User
from cases.core.roles import ROLE_PERMISSIONS, Role
from cases.demo.loader import DEMO_TOTP_SECRET, DEMO_USERS
from tests.factories import valid_resident_id

pytestmark = pytest.mark.django_db


def test_every_district_unit_is_seeded_with_the_bureau_as_supervisor():
    assert Department.objects.count() == 30
    assert list(Department.objects.filter(is_supervising_unit=True).values_list("code", flat=True)) == ["yshj"]


def test_every_role_is_a_group_with_its_permissions():
    for role, permissions in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        assert group.permissions.count() == len(permissions)


def test_a_caseworker_works_the_queue_but_cannot_supervise(caseworker):
    assert caseworker.has_perm("cases.work_department_cases")
    assert not caseworker.has_perm("cases.supervise_all_cases")


def test_an_applicant_files_but_cannot_work_cases(applicant):
    assert applicant.has_perm("cases.file_cases")
    assert not applicant.has_perm("cases.work_department_cases")


def test_a_wrong_uscc_on_an_enterprise_applicant_names_the_fault():
    user = User(username="x", entity_kind="enterprise", id_number="91350100M000100Y44")
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "校验码" in " ".join(exc.value.message_dict["id_number"])


def test_a_person_applicant_needs_a_valid_resident_id():
    user = User(username="y", entity_kind="person", id_number="11010519491231002")
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "18 位" in " ".join(exc.value.message_dict["id_number"])


def test_a_valid_resident_id_is_normalised():
    number = valid_resident_id("11010519491231002")
    user = User(username="z", entity_kind="person", id_number=number.lower())
    user.set_password("x-long-password")
    user.full_clean()
    assert user.id_number == number


def test_seed_demo_gives_one_user_per_role_and_can_run_twice():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == len(DEMO_USERS)
    for role in Role:
        assert User.objects.filter(groups__name=role).exists(), role
    assert User.objects.get(username="banli").department.code == "scjg"


def test_demo_users_log_in_with_the_documented_password(client):
    call_command("seed_demo", stdout=StringIO())
    response = client.post("/accounts/login/", {"username": "duban", "password": "chengxin-demo"}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/verify/")
    # The documented demo key (README), as an authenticator app would show it.
    code = f"{totp(base64.b32decode(DEMO_TOTP_SECRET)):06d}"
    response = client.post("/accounts/two-factor/verify/", {"token": code})
    assert response["Location"] == "/home/"
    assert client.get("/supervision/").status_code == 200


def test_seed_demo_opens_a_handful_of_watched_cases_once():
    from cases.core.models import Case, Deadline
    from cases.demo.loader import DEMO_CASES

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    watched = Case.objects.filter(title__in=[demo.title for demo in DEMO_CASES])
    assert watched.count() == len(DEMO_CASES)
    application = Case.objects.filter(kind="repair").order_by("pk").first()
    assert application.state == "submitted"
    open_deadlines = Deadline.objects.filter(closed_at__isnull=True)
    assert open_deadlines.filter(case__in=[*watched, application]).count() == 4


def test_the_demo_complaint_is_overdue_so_supervisors_see_it_escalate():
    from cases.supervision import sweep as supervision
    from cases.supervision.models import SupervisionOrder

    call_command("seed_demo", stdout=StringIO())
    supervision.sweep()
    assert SupervisionOrder.objects.filter(level="escalation").exists()


def test_seed_demo_publishes_two_records_about_the_demo_enterprise_once():
    from cases.core.models import CreditRecord

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert CreditRecord.objects.filter(party__id_number=User.objects.get(username="qiye").id_number).count() == 2
