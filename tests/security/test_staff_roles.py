"""Staff accounts that cannot be turned (三员分立, GB/T 22239): the system, security and audit
administrators each do their own part; none raises itself or anyone beyond what it manages;
nobody changes their own roles; superuser status and single permissions are set by no page."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from cases.accounts import staff_accounts
from cases.accounts.admin import UserAdmin
from cases.core.exceptions import NotPermitted
from cases.core.models import AuditEvent, Policy, User
from cases.core.roles import Role
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def system_admin(db):
    return UserFactory(username="sysadmin", role=Role.ADMIN)


@pytest.fixture
def security_admin(db):
    return UserFactory(username="secadmin", role=Role.SECURITY_ADMIN)


@pytest.fixture
def audit_admin(db):
    return UserFactory(username="auditadmin", role=Role.AUDIT_ADMIN)


def group(role) -> Group:
    return Group.objects.get(name=role)


def change_url(user) -> str:
    return f"/admin/cases/user/{user.pk}/change/"


def form_data(user, **extra) -> dict:
    """What the user change form posts, plus whatever a tampered request adds."""
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "department": user.department_id or "",
        "entity_kind": user.entity_kind,
        "entity_name": user.entity_name,
        "id_number": user.id_number,
        "is_active": "on",
    }
    data.update(extra)
    return data


def roles_of(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def test_the_system_admin_cannot_make_itself_superuser_through_its_change_form(client, system_admin):
    client.force_login(system_admin)
    permission = Permission.objects.get(codename="delete_user")
    response = client.post(
        change_url(system_admin),
        form_data(system_admin, is_superuser="on", is_staff="on", user_permissions=[permission.pk]),
    )
    assert response.status_code in (302, 403)
    fresh = User.objects.get(pk=system_admin.pk)
    assert not fresh.is_superuser
    assert not fresh.user_permissions.exists()
    assert not fresh.has_perm("cases.delete_user")


def test_the_system_admin_cannot_add_itself_to_the_supervisor_group(client, system_admin):
    client.force_login(system_admin)
    client.post(change_url(system_admin), form_data(system_admin, groups=[group(Role.SUPERVISOR).pk]))
    assert roles_of(system_admin) == {Role.ADMIN}


def test_the_system_admin_gives_nobody_a_role_but_edits_their_own_data(client, system_admin):
    worker = StaffFactory(username="worker")
    client.force_login(system_admin)
    response = client.post(
        change_url(worker), form_data(worker, full_name="新名字", groups=[group(Role.SUPERVISOR).pk], is_active="")
    )
    assert response.status_code == 302
    fresh = User.objects.get(pk=worker.pk)
    assert fresh.full_name == "新名字"
    assert roles_of(worker) == {Role.CASEWORKER}
    assert fresh.is_active  # a lock is the security administrator's


def test_the_security_admin_cannot_change_its_own_roles(client, security_admin):
    client.force_login(security_admin)
    client.post(change_url(security_admin), form_data(security_admin, groups=[group(Role.ADMIN).pk]))
    assert roles_of(security_admin) == {Role.SECURITY_ADMIN}
    with pytest.raises(NotPermitted):
        staff_accounts.change_roles(actor=security_admin, user_id=security_admin.pk, roles={Role.ADMIN})
    assert roles_of(security_admin) == {Role.SECURITY_ADMIN}


def test_the_security_admin_assigns_roles_and_it_is_audited(client, security_admin):
    worker = StaffFactory(username="worker")
    client.force_login(security_admin)
    response = client.post(
        change_url(worker), form_data(worker, full_name="改不了", groups=[group(Role.DEPARTMENT_HEAD).pk])
    )
    assert response.status_code == 302
    assert roles_of(worker) == {Role.DEPARTMENT_HEAD}
    assert User.objects.get(pk=worker.pk).full_name == worker.full_name  # not the security admin's data
    kinds = set(AuditEvent.objects.for_subject(worker).values_list("event_type", "payload__role"))
    assert kinds == {("user.role_granted", Role.DEPARTMENT_HEAD), ("user.role_revoked", Role.CASEWORKER)}


def test_the_security_admin_cannot_make_another_security_admin_or_a_superuser(client, security_admin):
    worker = StaffFactory(username="worker")
    client.force_login(security_admin)
    response = client.post(change_url(worker), form_data(worker, groups=[group(Role.SECURITY_ADMIN).pk]))
    assert response.status_code == 200  # the form says the choice is not one of those offered
    client.post(change_url(worker), form_data(worker, groups=[group(Role.CASEWORKER).pk], is_superuser="on"))
    assert roles_of(worker) == {Role.CASEWORKER}
    assert not User.objects.get(pk=worker.pk).is_superuser
    with pytest.raises(NotPermitted):
        staff_accounts.change_roles(actor=security_admin, user_id=worker.pk, roles={Role.SECURITY_ADMIN})


def test_an_administrator_role_is_held_alone(security_admin):
    worker = StaffFactory(username="worker")
    with pytest.raises(NotPermitted):
        staff_accounts.change_roles(actor=security_admin, user_id=worker.pk, roles={Role.ADMIN, Role.SUPERVISOR})
    with pytest.raises(NotPermitted):
        staff_accounts.change_roles(actor=security_admin, user_id=worker.pk, roles={Role.ADMIN, Role.AUDIT_ADMIN})
    assert roles_of(worker) == {Role.CASEWORKER}


def test_the_security_admin_locks_an_account_but_not_its_own(client, security_admin):
    worker = StaffFactory(username="worker")
    client.force_login(security_admin)
    client.post(change_url(worker), form_data(worker, groups=[group(Role.CASEWORKER).pk], is_active=""))
    assert not User.objects.get(pk=worker.pk).is_active
    assert AuditEvent.objects.for_subject(worker).filter(event_type="user.locked").exists()
    with pytest.raises(NotPermitted):
        staff_accounts.set_active(actor=security_admin, user_id=security_admin.pk, active=False)


def test_the_security_admin_does_not_touch_business_data(client, security_admin):
    client.force_login(security_admin)
    policy = Policy.objects.first()
    assert client.get(f"/admin/cases/policy/{policy.pk}/change/").status_code == 403
    assert client.get("/admin/cases/holiday/add/").status_code == 403
    assert client.get("/admin/cases/auditevent/").status_code == 403


def test_the_audit_admin_reads_the_audit_trail_and_changes_nothing(client, audit_admin):
    worker = StaffFactory(username="worker")
    client.force_login(audit_admin)
    assert client.get("/admin/cases/auditevent/").status_code == 200
    response = client.post(change_url(worker), form_data(worker, full_name="x", groups=[group(Role.ADMIN).pk]))
    assert response.status_code == 403
    policy = Policy.objects.first()
    response = client.post(f"/admin/cases/policy/{policy.pk}/change/", {"value": "99"})
    assert response.status_code == 403
    assert client.post(change_url(audit_admin), form_data(audit_admin, is_superuser="on")).status_code == 403
    assert roles_of(worker) == {Role.CASEWORKER}
    assert User.objects.get(pk=worker.pk).full_name == worker.full_name
    assert not User.objects.get(pk=audit_admin.pk).is_superuser
    with pytest.raises(NotPermitted):
        staff_accounts.change_roles(actor=audit_admin, user_id=worker.pk, roles={Role.SUPERVISOR})


def test_nobody_edits_the_role_groups_themselves(client, security_admin):
    client.force_login(security_admin)
    assert client.get(f"/admin/auth/group/{group(Role.SUPERVISOR).pk}/change/").status_code == 404


def test_the_system_admin_does_not_set_another_administrators_password(client, system_admin, security_admin):
    client.force_login(system_admin)
    assert client.get(f"/admin/cases/user/{security_admin.pk}/password/").status_code == 403
    worker = StaffFactory(username="worker")
    assert client.get(f"/admin/cases/user/{worker.pk}/password/").status_code == 200


def test_superuser_status_is_refused_at_save_even_if_a_form_carried_it(system_admin):
    worker = StaffFactory(username="worker")
    request = RequestFactory().post("/")
    request.user = system_admin
    worker.is_superuser = True
    with pytest.raises(PermissionDenied):
        UserAdmin(User, None).save_model(request, worker, form=None, change=True)
    assert not User.objects.get(pk=worker.pk).is_superuser


def test_the_first_security_admin_is_appointed_from_the_command_line():
    UserFactory(username="zhang")
    call_command("grant_role", "zhang", Role.SECURITY_ADMIN, stdout=StringIO())
    zhang = User.objects.get(username="zhang")
    assert roles_of(zhang) == {Role.SECURITY_ADMIN}
    assert zhang.is_staff
    with pytest.raises(CommandError):
        call_command("grant_role", "zhang", Role.ADMIN, stdout=StringIO())


def test_the_system_admin_adds_an_account_with_no_role_and_no_privilege(client, system_admin):
    client.force_login(system_admin)
    response = client.post(
        "/admin/cases/user/add/",
        {"username": "newcomer", "usable_password": "true", "password1": "a-Long-pass-2026",
         "password2": "a-Long-pass-2026", "is_superuser": "on", "is_staff": "on",
         "groups": [group(Role.SUPERVISOR).pk]},
    )  # fmt: skip
    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.is_superuser and not newcomer.is_staff
    assert roles_of(newcomer) == set()


def test_the_system_admin_has_no_say_over_roles_locks_or_second_factors(system_admin):
    worker = StaffFactory(username="worker")
    for change in (
        lambda: staff_accounts.change_roles(actor=system_admin, user_id=worker.pk, roles={Role.SUPERVISOR}),
        lambda: staff_accounts.set_active(actor=system_admin, user_id=worker.pk, active=False),
        lambda: staff_accounts.reset_second_factor(actor=system_admin, user_id=worker.pk),
    ):
        with pytest.raises(NotPermitted):
            change()
    assert roles_of(worker) == {Role.CASEWORKER}
    assert User.objects.get(pk=worker.pk).is_active
