"""What the province's identity platform's claims make of an account (platform_login._entity_from):
the entity it acts for and in which role; anything unclear is refused, and the role defaults to
agent, who cannot end others' bindings."""

import pytest
from django.core.exceptions import SuspiciousOperation

from cases.accounts.platform_login import _entity_from
from cases.core.models import BindingRole
from cases.core.models.org import EntityKind

USCC = "91350100M000100Y43"


@pytest.fixture(autouse=True)
def _claim_names(settings):
    settings.OIDC_CLAIM_ENTITY_KIND = "entity_kind"
    settings.OIDC_ENTERPRISE_KIND_VALUES = ["enterprise"]
    settings.OIDC_PERSON_KIND_VALUES = ["person"]
    settings.OIDC_CLAIM_ID_NUMBER = "id_number"
    settings.OIDC_CLAIM_ENTITY_NAME = "entity_name"
    settings.OIDC_CLAIM_ROLE = "role"
    settings.OIDC_LEGAL_REPRESENTATIVE_VALUES = ["legal_representative"]


def test_the_legal_representative_of_an_enterprise():
    claims = {"entity_kind": "enterprise", "id_number": f" {USCC.lower()} ", "entity_name": " 示范公司 ",
              "role": "legal_representative"}  # fmt: skip
    assert _entity_from(claims) == (EntityKind.ENTERPRISE, USCC, "示范公司", BindingRole.LEGAL_REPRESENTATIVE)


@pytest.mark.parametrize("role", ["", "agent", "manager"])
def test_anyone_else_for_an_enterprise_is_an_agent(role):
    claims = {"entity_kind": "enterprise", "id_number": USCC, "role": role}
    assert _entity_from(claims)[3] == BindingRole.AGENT


def test_without_a_role_claim_configured_everyone_is_an_agent(settings):
    settings.OIDC_CLAIM_ROLE = ""
    claims = {"entity_kind": "enterprise", "id_number": USCC, "role": "legal_representative"}
    assert _entity_from(claims)[3] == BindingRole.AGENT


def test_a_person_acts_as_themselves_whatever_the_role_claim():
    claims = {"entity_kind": "person", "id_number": "11010519491231002x", "role": "legal_representative"}
    assert _entity_from(claims) == (EntityKind.PERSON, "11010519491231002X", "", BindingRole.SELF)


@pytest.mark.parametrize(
    "claims",
    [
        {"entity_kind": "club", "id_number": USCC},
        {"id_number": USCC},
        {"entity_kind": "enterprise", "id_number": "  "},
        {"entity_kind": "enterprise"},
    ],
)
def test_claims_naming_no_known_kind_or_no_identifier_are_refused(claims):
    with pytest.raises(SuspiciousOperation):
        _entity_from(claims)
