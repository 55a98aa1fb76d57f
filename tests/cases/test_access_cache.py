"""A person's permissions and roles come from the shared cache (cases.core.access), and every
change that decides them is seen on the next request."""

import pytest
import redis
from django.contrib.auth.models import Group, Permission

from cases.core import access
from cases.core.models import User
from cases.core.roles import Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

SUPERVISE = "cases.supervise_all_cases"


def fresh(user) -> User:
    """The user as the next request loads them."""
    return User.objects.get(pk=user.pk)


def test_a_second_request_reads_permissions_and_roles_without_a_query(django_assert_num_queries):
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    assert fresh(supervisor).has_perm(SUPERVISE)
    again = fresh(supervisor)
    with django_assert_num_queries(0):
        assert again.has_perm(SUPERVISE)
        assert Role.SUPERVISOR in again.role_names


def test_a_role_taken_away_is_gone_on_the_next_request():
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    assert fresh(supervisor).has_perm(SUPERVISE)
    supervisor.groups.remove(Group.objects.get(name=Role.SUPERVISOR))
    assert not fresh(supervisor).has_perm(SUPERVISE)
    assert Role.SUPERVISOR not in fresh(supervisor).role_names


def test_a_role_given_is_there_on_the_next_request():
    worker = StaffFactory()
    assert not fresh(worker).has_perm(SUPERVISE)
    worker.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    assert fresh(worker).has_perm(SUPERVISE)


def test_a_permission_taken_from_a_role_is_gone_for_everyone_holding_it():
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    assert fresh(supervisor).has_perm(SUPERVISE)
    permission = Permission.objects.get(content_type__app_label="cases", codename="supervise_all_cases")
    Group.objects.get(name=Role.SUPERVISOR).permissions.remove(permission)
    assert not fresh(supervisor).has_perm(SUPERVISE)


def test_a_permission_given_to_the_person_alone_counts():
    worker = StaffFactory()
    assert not fresh(worker).has_perm(SUPERVISE)
    worker.user_permissions.add(Permission.objects.get(content_type__app_label="cases", codename="supervise_all_cases"))
    assert fresh(worker).has_perm(SUPERVISE)


def test_a_deactivated_account_may_do_nothing_though_its_roles_are_cached():
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    assert fresh(supervisor).has_perm(SUPERVISE)
    User.objects.filter(pk=supervisor.pk).update(is_active=False)
    assert not fresh(supervisor).has_perm(SUPERVISE)


def test_an_account_made_active_again_may_do_what_its_roles_allow_at_once():
    supervisor = StaffFactory(role=Role.SUPERVISOR, is_active=False)
    assert Role.SUPERVISOR in fresh(supervisor).role_names  # the accounts page lists its roles
    assert not fresh(supervisor).has_perm(SUPERVISE)
    User.objects.filter(pk=supervisor.pk).update(is_active=True)
    assert fresh(supervisor).has_perm(SUPERVISE)


def test_a_new_account_never_inherits_what_was_cached_under_an_old_id():
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    assert fresh(supervisor).has_perm(SUPERVISE)
    old_id = supervisor.pk
    User.objects.filter(pk=old_id).delete()
    newcomer = User.objects.create(pk=old_id, username="newcomer")
    assert not fresh(newcomer).has_perm(SUPERVISE)
    assert fresh(newcomer).role_names == set()


class UnreachableCache:
    """The shared cache with Redis down: every call raises as django's RedisCache does."""

    def __getattr__(self, name):
        def refuse(*args, **kwargs):
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return refuse


def test_with_the_cache_down_permissions_are_read_from_the_database_and_roles_still_change(monkeypatch, caplog):
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    monkeypatch.setattr(access, "cache", UnreachableCache())
    assert fresh(supervisor).has_perm(SUPERVISE)
    supervisor.groups.remove(Group.objects.get(name=Role.SUPERVISOR))
    assert not fresh(supervisor).has_perm(SUPERVISE)
    assert "permissions changed while the cache was unreachable" in caplog.text
