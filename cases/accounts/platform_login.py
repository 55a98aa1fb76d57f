"""Sign-in through the province's unified identity platform (OpenID Connect, mozilla-django-oidc).

The platform has verified who the person is and for which enterprise they act; a sign-in through
it creates or updates the account's verified binding (how verified: platform). Each platform
names its claims its own way: the settings give the names (OIDC_CLAIM_*). Off unless configured.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from cases.accounts import services as identity_services
from cases.core.exceptions import InvalidInput
from cases.core.models import BindingRole, User
from cases.core.models.org import EntityKind
from cases.core.roles import Role, grant_role


def _entity_from(claims: dict) -> tuple[str, str, str, str]:
    """(kind, identifier, name, role) read from the claims under the configured names."""
    kind_value = str(claims.get(settings.OIDC_CLAIM_ENTITY_KIND, "")).strip()
    if kind_value in settings.OIDC_ENTERPRISE_KIND_VALUES:
        kind = EntityKind.ENTERPRISE
    elif kind_value in settings.OIDC_PERSON_KIND_VALUES:
        kind = EntityKind.PERSON
    else:
        raise SuspiciousOperation("The platform's claims name no known entity kind.")
    id_number = str(claims.get(settings.OIDC_CLAIM_ID_NUMBER, "")).strip().upper()
    if not id_number:
        raise SuspiciousOperation("The platform's claims carry no identifier.")
    name = str(claims.get(settings.OIDC_CLAIM_ENTITY_NAME, "")).strip()[:200]
    role_value = str(claims.get(settings.OIDC_CLAIM_ROLE, "")).strip() if settings.OIDC_CLAIM_ROLE else ""
    if kind == EntityKind.PERSON:
        role = BindingRole.SELF
    elif role_value and role_value in settings.OIDC_LEGAL_REPRESENTATIVE_VALUES:
        role = BindingRole.LEGAL_REPRESENTATIVE
    else:
        role = BindingRole.AGENT  # the safe default: an agent cannot end others' bindings
    return kind, id_number, name, role


class PlatformBackend(OIDCAuthenticationBackend):
    """Finds the account by the platform's subject ("sub"), creates it on the first sign-in,
    and binds it to the entity the verified claims name."""

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc checks signature and nonce; the issuer is checked here.
        issuer = settings.OIDC_OP_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def verify_claims(self, claims):
        return bool(claims.get("sub")) and bool(claims.get(settings.OIDC_CLAIM_ID_NUMBER))

    def filter_users_by_claims(self, claims):
        return User.objects.filter(
            identity_bindings__platform_subject=claims["sub"], identity_bindings__method="platform", is_active=True
        ).distinct()

    @transaction.atomic  # no account is left behind when the claims cannot be bound
    def create_user(self, claims):
        _entity_from(claims)  # refused before an account is made
        digest = hashlib.sha256(f"{settings.OIDC_OP_ISSUER}|{claims['sub']}".encode()).hexdigest()[:20]
        user = User.objects.create(
            username=f"platform-{digest}",
            password=make_password(None),  # signs in through the platform only
            full_name=str(claims.get(settings.OIDC_CLAIM_FULL_NAME, ""))[:100],
        )
        grant_role(user, Role.APPLICANT)
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        kind, id_number, name, role = _entity_from(claims)
        try:
            identity_services.bind_from_platform(
                user=user, kind=kind, id_number=id_number, name=name, role=role, subject=claims["sub"]
            )
        except InvalidInput as exc:
            raise SuspiciousOperation("The platform's identifier is not valid.") from exc
        user.refresh_from_db()
        return user


def platform_login(request):
    if not settings.OIDC_ENABLED:
        raise Http404
    return OIDCAuthenticationRequestView.as_view()(request)


def platform_callback(request):
    if not settings.OIDC_ENABLED:
        raise Http404
    return OIDCAuthenticationCallbackView.as_view()(request)
