import pytest

from cases.core import policies, services
from cases.core.exceptions import InvalidInput, NotPermitted, PolicyMissing
from cases.core.models import AuditEvent, Policy

pytestmark = pytest.mark.django_db


def test_domain_defaults_are_seeded():
    assert policies.working_days("complaint", "answer_within") == 15
    assert policies.count("complaint", "reopen_limit") == 2
    assert policies.months("repair", "serious_longest_months") == 36
    assert {item["code"] for item in policies.choices("repair", "materials_penalty")} == {
        "obligation_proof",
        "commitment",
    }


def test_a_missing_policy_is_a_clear_error():
    with pytest.raises(PolicyMissing):
        policies.working_days("complaint", "no_such_rule")


def test_admin_change_takes_effect_and_is_audited(admin_user):
    policy = Policy.objects.get(case_type="complaint", key="answer_within")
    services.change_policy(policy_id=policy.pk, actor=admin_user, value=20)
    assert policies.working_days("complaint", "answer_within") == 20
    event = AuditEvent.objects.for_subject(policy).get()
    assert (event.event_type, event.actor, event.payload) == (
        "policy.changed",
        admin_user,
        {"old_value": 15, "new_value": 20},
    )


def test_a_negative_number_is_refused(admin_user):
    policy = Policy.objects.get(case_type="complaint", key="answer_within")
    with pytest.raises(InvalidInput) as exc:
        services.change_policy(policy_id=policy.pk, actor=admin_user, value=-1)
    assert "value" in exc.value.details
    assert policies.working_days("complaint", "answer_within") == 15


def test_a_list_of_materials_needs_codes_and_names(admin_user):
    policy = Policy.objects.get(case_type="repair", key="materials_penalty")
    with pytest.raises(InvalidInput):
        services.change_policy(policy_id=policy.pk, actor=admin_user, value=[{"name": "缴款凭证"}])


def test_a_caseworker_may_not_change_policy(caseworker):
    policy = Policy.objects.get(case_type="complaint", key="answer_within")
    with pytest.raises(NotPermitted):
        services.change_policy(policy_id=policy.pk, actor=caseworker, value=1)
    assert not AuditEvent.objects.exists()
