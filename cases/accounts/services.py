"""Every write of identity binding (实名认证): binding by the province's platform, by a one-time
code to the mobile number on record, or by a clerk at the counter; unbinding. Each binding and
unbinding is on the audit trail (events.identity_bound_event / identity_unbound_event)."""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cases.core import events, identifiers, identity, masking, permissions, scaffold
from cases.core.exceptions import InvalidInput, NotFound, NotPermitted, Throttled
from cases.core.models import BindingCode, BindingMethod, BindingRole, IdentityBinding, Party, User
from cases.core.models.org import EntityKind
from notifications import sms

CODE_SALT = "cases.core.identity.binding-code"


def _valid_identifier(kind: str, id_number: str) -> str:
    if kind not in EntityKind.values:
        raise InvalidInput(details={"entity_kind": [_("Choose whether the applicant is an enterprise or a person.")]})
    validate = identifiers.validate_uscc if kind == EntityKind.ENTERPRISE else identifiers.validate_resident_id
    try:
        return validate(id_number)
    except ValidationError as exc:
        raise InvalidInput(details={"id_number": exc.messages}) from exc


def _valid_role(kind: str, role: str) -> str:
    if kind == EntityKind.PERSON:
        return BindingRole.SELF  # a person acts for themselves; agents for people are not offered
    if role not in (BindingRole.LEGAL_REPRESENTATIVE, BindingRole.AGENT):
        raise InvalidInput(details={"role": [_("Choose legal representative or agent.")]})
    return role


def _bind(*, user, kind: str, id_number: str, name: str, role: str, method: str, verified_by=None,
          platform_subject: str = "") -> IdentityBinding:  # fmt: skip
    """Bind `user` (locked) to the entity; a binding to another entity, or in another role, ends."""
    current = IdentityBinding.objects.select_for_update().filter(user=user, revoked_at__isnull=True).first()
    if current and (current.entity_kind, current.id_number, current.role) == (kind, id_number, role):
        changed = []
        if platform_subject and current.platform_subject != platform_subject:
            current.platform_subject = platform_subject
            changed.append("platform_subject")
        if name and current.entity_name != name:
            current.entity_name = name
            changed.append("entity_name")
        if changed:
            current.save(update_fields=changed)
        return current
    if current:
        _revoke(current, actor=verified_by or user, reason=_("Bound again to another entity or role."))
    binding = IdentityBinding.objects.create(
        user=user, entity_kind=kind, id_number=id_number, entity_name=name, role=role, method=method,
        verified_at=timezone.now(), verified_by=verified_by, platform_subject=platform_subject,
    )  # fmt: skip
    # The account's own entity fields follow the verified binding, so every page names what it acts for.
    user.entity_kind, user.id_number = kind, id_number
    user.entity_name = name or user.entity_name
    user.save(update_fields=["entity_kind", "id_number", "entity_name"])
    events.identity_bound_event(binding=binding, actor=verified_by or user)
    identity.forget(user)
    return binding


def _revoke(binding: IdentityBinding, *, actor, reason: str = "") -> None:
    binding.revoked_at = timezone.now()
    binding.revoked_by = actor
    binding.save(update_fields=["revoked_at", "revoked_by"])
    events.identity_unbound_event(binding=binding, actor=actor, reason=reason)
    identity.forget(binding.user)


# --- the province's unified identity platform ---------------------------------------------


@transaction.atomic
def bind_from_platform(*, user, kind: str, id_number: str, name: str, role: str, subject: str) -> IdentityBinding:
    """A sign-in through the platform vouches for the entity its claims name."""
    id_number = _valid_identifier(kind, id_number)
    user = User.objects.select_for_update().get(pk=user.pk)
    return _bind(user=user, kind=kind, id_number=id_number, name=name, role=_valid_role(kind, role),
                 method=BindingMethod.PLATFORM, platform_subject=subject)  # fmt: skip


# --- a one-time code to the mobile number on record ---------------------------------------


def _code_hash(code: str) -> str:
    # Keyed by SECRET_KEY: six digits hashed without a key would be read back from a copy of the table.
    return salted_hmac(CODE_SALT, code, algorithm="sha256").hexdigest()


def phone_on_record(kind: str, id_number: str) -> str:
    return Party.objects.filter(kind=kind, id_number=id_number).values_list("phone", flat=True).first() or ""


def claimed_entity(user) -> tuple[str, str]:
    """The entity the account claims (typed at sign-up) and wants verified."""
    if not user.entity_kind or not user.id_number:
        raise InvalidInput(_("Your account names no enterprise or person to verify."))
    return user.entity_kind, user.id_number


@transaction.atomic
def send_binding_code(*, user) -> BindingCode:
    """Send a fresh code to the number on record for the entity the account claims."""
    kind, id_number = claimed_entity(user)
    phone = phone_on_record(kind, id_number)
    if not phone:
        raise InvalidInput(
            _(
                "No mobile number is on record for this enterprise or person: "
                "bring the licence or ID card to the counter."
            )
        )
    user = User.objects.select_for_update().get(pk=user.pk)  # one send at a time per account
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    by_account = BindingCode.objects.filter(user=user, created_at__gte=hour_ago).count()
    # Counted per entity too: many accounts naming one entity must not flood its phone with texts.
    by_entity = BindingCode.objects.filter(entity_kind=kind, id_number=id_number, created_at__gte=hour_ago).count()
    if (
        by_account >= settings.IDENTITY_CODE_SENDS_PER_HOUR
        or by_entity >= settings.IDENTITY_CODE_SENDS_PER_HOUR_PER_ENTITY
    ):
        raise Throttled(_("Too many codes sent in the last hour. Wait a while, then ask for a new one."))
    # A new code replaces the earlier ones: only the latest can be used.
    BindingCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    binding_code = BindingCode.objects.create(
        user=user, entity_kind=kind, id_number=id_number, phone=phone, code_hash=_code_hash(code), created_at=now,
        expires_at=now + timedelta(minutes=settings.IDENTITY_CODE_MINUTES),
    )  # fmt: skip
    sms.get_backend().send(
        phone,
        _("Chengxin verification code %(code)s: it binds account %(username)s to your credit records. "
          "Valid for %(minutes)d minutes. If you did not ask for it, ignore this message.")
        % {"code": code, "username": user.username, "minutes": settings.IDENTITY_CODE_MINUTES},
    )  # fmt: skip
    events.identity_code_sent_event(user=user, phone_masked=masking.mask_phone(phone), entity_kind=kind)
    return binding_code


def verify_binding_code(*, user, code: str) -> IdentityBinding:
    """Bind the account when the code is right. A wrong try is counted (and kept) before the
    refusal, so that the limit holds however the caller handles the error."""
    outcome, binding = _try_code(user=user, code=(code or "").strip())
    if outcome == "expired":
        raise InvalidInput(details={"code": [_("The code has expired or was replaced. Ask for a new one.")]})
    if outcome == "exhausted":
        raise InvalidInput(details={"code": [_("Too many wrong codes. Ask for a new one.")]})
    if outcome == "wrong":
        raise InvalidInput(details={"code": [_("The code is not right.")]})
    return binding


@transaction.atomic
def _try_code(*, user, code: str):
    now = timezone.now()
    pending = (
        BindingCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    if pending is None or pending.expires_at <= now:
        return "expired", None
    if pending.attempts >= settings.IDENTITY_CODE_ATTEMPTS:
        return "exhausted", None
    if not hmac.compare_digest(pending.code_hash, _code_hash(code)):
        pending.attempts += 1
        pending.save(update_fields=["attempts"])
        events.identity_code_failed_event(user=user, attempts=pending.attempts)
        return ("exhausted" if pending.attempts >= settings.IDENTITY_CODE_ATTEMPTS else "wrong"), None
    pending.used_at = now
    pending.save(update_fields=["used_at"])
    locked = User.objects.select_for_update().get(pk=user.pk)
    # Whoever holds the enterprise's registered phone is its contact, not proven its legal
    # representative: that role is confirmed at the counter or by the platform.
    chosen = BindingRole.SELF if pending.entity_kind == EntityKind.PERSON else BindingRole.AGENT
    name = Party.objects.filter(kind=pending.entity_kind, id_number=pending.id_number).values_list("name", flat=True)
    binding = _bind(user=locked, kind=pending.entity_kind, id_number=pending.id_number,
                    name=name.first() or user.entity_name, role=chosen, method=BindingMethod.SMS)  # fmt: skip
    identity.forget(user)
    return "bound", binding


# --- a clerk at the counter ---------------------------------------------------------------


@transaction.atomic
def bind_at_counter(*, actor, username: str, kind: str, id_number: str, name: str, role: str,
                    phone: str = "") -> IdentityBinding:  # fmt: skip
    """A clerk who has seen the licence or the ID card (and the person's own ID) binds the account.
    `phone`, if given, becomes the number on record for the entity."""
    permissions.require(actor, "cases.verify_identities")
    id_number = _valid_identifier(kind, id_number)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(details={"entity_name": [_("Write the name on the licence or ID card.")]})
    user = User.objects.select_for_update().filter(username=(username or "").strip(), is_active=True).first()
    if user is None:
        raise InvalidInput(details={"username": [_("No active account has this user name.")]})
    if user.pk == actor.pk:
        raise NotPermitted(_("A clerk does not bind their own account."))
    phone = (phone or "").strip()
    if phone:
        _set_phone_on_record(actor=actor, kind=kind, id_number=id_number, name=name, phone=phone)
    return _bind(user=user, kind=kind, id_number=id_number, name=name, role=_valid_role(kind, role),
                 method=BindingMethod.COUNTER, verified_by=actor)  # fmt: skip


def _set_phone_on_record(*, actor, kind, id_number, name, phone) -> None:
    digits = phone.replace(" ", "").replace("-", "")
    if not (digits.isdigit() and len(digits) == 11 and digits.startswith("1")):
        raise InvalidInput(details={"phone": [_("Give an 11-digit mobile number.")]})
    party, _created = Party.objects.get_or_create(kind=kind, id_number=id_number, defaults={"name": name})
    if party.phone != digits:
        party.phone = digits
        party.save(update_fields=["phone"])
        events.party_phone_set_event(party=party, actor=actor, phone_masked=masking.mask_phone(digits))


# --- unbinding ----------------------------------------------------------------------------


@transaction.atomic
def revoke_binding(*, actor, binding_id: int, reason: str = "") -> IdentityBinding:
    """An enterprise's verified legal representative ends an agent's binding; anyone may end
    their own. To everyone else the binding does not exist."""
    binding = scaffold.locked(IdentityBinding, binding_id, related=("user",))
    if binding.revoked_at is not None:
        raise NotFound()
    own = binding.user_id == getattr(actor, "pk", None)
    mine = identity.binding_of(actor)
    representative = (
        mine is not None
        and mine.role == BindingRole.LEGAL_REPRESENTATIVE
        and (mine.entity_kind, mine.id_number) == (binding.entity_kind, binding.id_number)
        and binding.role == BindingRole.AGENT
    )
    if not (own or representative):
        raise NotFound()
    _revoke(binding, actor=actor, reason=(reason or "").strip())
    return binding
