"""Who acts for which entity (cases/identity.py): the reads every page and service asks, on their
own. A claim typed at sign-up never counts; only an active, verified binding of an active account."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from cases.core import identity
from cases.core.models import BindingMethod, BindingRole, IdentityBinding
from cases.core.models.org import EntityKind
from tests.factories import ApplicantFactory, UserFactory, valid_resident_id, valid_uscc

pytestmark = pytest.mark.django_db

USCC = valid_uscc("91620702MA71QQQQ0")
OTHER_USCC = valid_uscc("91620702MA71RRRR0")


def bind(user, *, kind=EntityKind.ENTERPRISE, number=USCC, role=BindingRole.AGENT, minutes_ago=0):
    return IdentityBinding.objects.create(
        user=user, entity_kind=kind, id_number=number, role=role, method=BindingMethod.COUNTER,
        verified_at=timezone.now() - timedelta(minutes=minutes_ago),
    )  # fmt: skip


def test_nobody_and_a_visitor_act_for_no_one():
    for user in (None, AnonymousUser()):
        assert identity.binding_of(user) is None
        assert identity.entity_of(user) is None
        assert not identity.acts_for_enterprise(user)
        assert not identity.is_legal_representative(user)


def test_a_claim_typed_at_sign_up_is_not_a_binding():
    user = ApplicantFactory(id_number=USCC, verified=False)
    assert identity.entity_of(user) is None
    assert not identity.acts_for(user, EntityKind.ENTERPRISE, USCC)


def test_a_bound_account_acts_for_its_entity_and_for_no_other():
    user = UserFactory()
    bind(user, role=BindingRole.LEGAL_REPRESENTATIVE)
    assert identity.entity_of(user) == (EntityKind.ENTERPRISE, USCC)
    assert identity.acts_for(user, EntityKind.ENTERPRISE, USCC)
    assert not identity.acts_for(user, EntityKind.ENTERPRISE, OTHER_USCC)
    assert not identity.acts_for(user, EntityKind.PERSON, USCC)
    assert identity.acts_for_enterprise(user)
    assert identity.is_legal_representative(user)


def test_an_agent_is_not_the_legal_representative_and_a_person_is_not_an_enterprise():
    agent = UserFactory()
    bind(agent, role=BindingRole.AGENT)
    assert identity.acts_for_enterprise(agent)
    assert not identity.is_legal_representative(agent)
    person = UserFactory()
    bind(person, kind=EntityKind.PERSON, number=valid_resident_id("62070219800101001"), role=BindingRole.SELF)
    assert not identity.acts_for_enterprise(person)


def test_a_revoked_binding_counts_once_the_cached_one_is_forgotten():
    user = UserFactory()
    binding = bind(user)
    assert identity.acts_for(user, EntityKind.ENTERPRISE, USCC)
    binding.revoked_at = timezone.now()
    binding.save()
    assert identity.acts_for(user, EntityKind.ENTERPRISE, USCC)  # read once per request user
    identity.forget(user)
    assert identity.entity_of(user) is None
    identity.forget(None)  # nothing to forget


def test_the_legal_representative_comes_first_then_agents_by_verification_time():
    late_agent, early_agent, representative = UserFactory(), UserFactory(), UserFactory()
    bind(late_agent, minutes_ago=1)
    bind(early_agent, minutes_ago=30)
    bind(representative, role=BindingRole.LEGAL_REPRESENTATIVE, minutes_ago=5)
    bind(UserFactory(), number=OTHER_USCC)
    order = [b.user for b in identity.bindings_of_entity(EntityKind.ENTERPRISE, USCC)]
    assert order == [representative, early_agent, late_agent]


def test_inactive_accounts_and_revoked_bindings_act_for_no_one():
    gone = UserFactory(is_active=False)
    bind(gone, role=BindingRole.LEGAL_REPRESENTATIVE)
    revoked = bind(UserFactory())
    revoked.revoked_at = timezone.now()
    revoked.save()
    assert not identity.bindings_of_entity(EntityKind.ENTERPRISE, USCC).exists()
    assert identity.users_acting_for([(EntityKind.ENTERPRISE, USCC)]) == {}
    assert identity.enterprise_representatives([USCC]) == {}


def test_users_acting_for_matches_kind_and_number_together():
    agent, person = UserFactory(), UserFactory()
    bind(agent)
    bind(person, kind=EntityKind.PERSON, number=USCC, role=BindingRole.SELF)  # same digits, another kind
    found = identity.users_acting_for([(EntityKind.ENTERPRISE, USCC), (EntityKind.ENTERPRISE, OTHER_USCC)])
    assert dict(found) == {(EntityKind.ENTERPRISE, USCC): [agent.id]}
    assert identity.users_acting_for([]) == {}


def test_the_enterprise_is_followed_by_its_representative_else_its_earliest_agent():
    late_agent, early_agent, representative = UserFactory(), UserFactory(), UserFactory()
    bind(late_agent, minutes_ago=1)
    bind(early_agent, minutes_ago=30)
    bind(representative, role=BindingRole.LEGAL_REPRESENTATIVE, minutes_ago=5)
    agent_only = UserFactory()
    bind(agent_only, number=OTHER_USCC)
    chosen = identity.enterprise_representatives([USCC, OTHER_USCC])
    assert chosen == {USCC: representative.id, OTHER_USCC: agent_only.id}
    assert identity.enterprise_representatives([]) == {}
