"""Who acts for which entity (实名认证): the one read every page, API view and service asks.

An account sees an enterprise's or a person's records, notices and cases, and acts for it, only
through an active, verified IdentityBinding. The entity an account typed at sign-up is a claim
to be verified, never a key: whoever knows a stranger's valid ID number gets nothing from it.
"""

from collections import defaultdict

from django.db.models import Case as Conditional
from django.db.models import IntegerField, QuerySet, Value, When

from cases.core.models import BindingRole, IdentityBinding
from cases.core.models.org import EntityKind

_CACHE = "_active_identity_binding"


def binding_of(user) -> IdentityBinding | None:
    """The user's active binding, read once per request user (the object carries it)."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, _CACHE):
        setattr(user, _CACHE, IdentityBinding.objects.filter(user=user, revoked_at__isnull=True).first())
    return getattr(user, _CACHE)


def forget(user) -> None:
    """Drop the cached binding after a binding or unbinding changes it."""
    if user is not None:
        user.__dict__.pop(_CACHE, None)


def entity_of(user) -> tuple[str, str] | None:
    """(entity kind, identifier) the user acts for, or None."""
    binding = binding_of(user)
    return (binding.entity_kind, binding.id_number) if binding else None


def acts_for(user, kind: str, id_number: str) -> bool:
    return entity_of(user) == (kind, id_number)


def acts_for_enterprise(user) -> bool:
    entity = entity_of(user)
    return entity is not None and entity[0] == EntityKind.ENTERPRISE


def is_legal_representative(user) -> bool:
    binding = binding_of(user)
    return binding is not None and binding.role == BindingRole.LEGAL_REPRESENTATIVE


def active_bindings() -> QuerySet[IdentityBinding]:
    return IdentityBinding.objects.filter(revoked_at__isnull=True, user__is_active=True)


def bindings_of_entity(kind: str, id_number: str) -> QuerySet[IdentityBinding]:
    """Everyone who acts for the entity: its legal representative first, then its agents."""
    return (
        active_bindings()
        .filter(entity_kind=kind, id_number=id_number)
        .select_related("user", "verified_by")
        .annotate(rank=Conditional(When(role=BindingRole.LEGAL_REPRESENTATIVE, then=Value(0)), default=Value(1),
                             output_field=IntegerField()))
        .order_by("rank", "verified_at", "id")
    )  # fmt: skip


def users_acting_for(keys) -> dict[tuple[str, str], list[int]]:
    """The ids of the active users bound to each (kind, identifier) of `keys`, in one query."""
    keys = set(keys)
    found = defaultdict(list)
    if not keys:
        return found
    rows = (
        active_bindings()
        .filter(id_number__in={number for _kind, number in keys})
        .order_by("verified_at", "id")
        .values_list("user_id", "entity_kind", "id_number")
    )
    for user_id, kind, number in rows:
        if (kind, number) in keys:
            found[(kind, number)].append(user_id)
    return found


def enterprise_representatives(usccs) -> dict[str, int]:
    """For each USCC, the one account that follows the enterprise's complaints from the channels:
    its legal representative if verified, else its earliest verified agent."""
    chosen: dict[str, int] = {}
    rows = (
        active_bindings()
        .filter(entity_kind=EntityKind.ENTERPRISE, id_number__in=set(usccs))
        .annotate(rank=Conditional(When(role=BindingRole.LEGAL_REPRESENTATIVE, then=Value(0)), default=Value(1),
                             output_field=IntegerField()))
        .order_by("rank", "verified_at", "id")
        .values_list("id_number", "user_id")
    )  # fmt: skip
    for number, user_id in rows:
        chosen.setdefault(number, user_id)
    return chosen
