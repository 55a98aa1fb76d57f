"""What a signed-in person may do (their permissions) and which roles they hold, kept in the
shared cache between requests.

Why: Django's ModelBackend reads a user's permissions with two queries (their own and their
groups'), and the roles are a third; every page asks (the menu, the view, the second-factor
check), so a list page spent more time on them than on its rows. One cache read replaces the
three.

Any change that can alter an answer (a person's groups or own permissions, a group's permissions,
a group or permission saved or deleted, a user created) replaces the cache's generation token, so
every entry written before is ignored at once, in every process that shares the cache. Entries
also expire after ACCESS_CACHE_SECONDS, a bound on anything done behind the ORM's back (raw SQL).
Whether the account is active or a superuser is not cached: it is read with the user each request.

With Redis down the database answers, as before the cache: no page or service fails for it. A
change made meanwhile cannot replace the token; entries cached before it may then be read for up
to ACCESS_CACHE_SECONDS once Redis is back (logged as a warning).
"""

import logging
import secrets

import redis
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

GENERATION_KEY = "chengxin:access:generation"


def _user_key(user_pk) -> str:
    return f"chengxin:access:user:{user_pk}"


def _seconds() -> int:
    return getattr(settings, "ACCESS_CACHE_SECONDS", 300)


def _new_generation() -> str:
    return secrets.token_hex(8)


def changed(**_signal) -> None:
    """Something that decides permissions or roles changed: forget every cached answer."""
    try:
        cache.set(GENERATION_KEY, _new_generation(), timeout=None)
    except redis.RedisError:
        logger.warning(
            "permissions changed while the cache was unreachable: entries cached before may be read "
            "for up to %s s once it is back",
            _seconds(),
        )


def _from_database(user) -> tuple[frozenset[str], frozenset[str]]:
    from django.contrib.auth.backends import ModelBackend  # reads the user model when imported

    permissions = frozenset(ModelBackend().get_all_permissions(user))
    return permissions, frozenset(user.groups.values_list("name", flat=True))


def _read(user) -> tuple[frozenset[str], frozenset[str]]:
    """(permissions as "app_label.codename", role names) of a user, from the cache or worked out
    and kept there; from the database alone while the cache is unreachable."""
    try:
        return _read_through_cache(user)
    except redis.RedisError:
        return _from_database(user)


def _read_through_cache(user) -> tuple[frozenset[str], frozenset[str]]:
    key = _user_key(user.pk)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        # No token (a fresh or flushed cache): start one; nothing cached before it can match.
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    entry = found.get(key)
    # Django gives an inactive account no permissions: what was read while it was one (or active)
    # does not hold once that changes.
    if entry is not None and entry[:2] == (generation, user.is_active):
        return entry[2], entry[3]
    permissions, roles = _from_database(user)
    if generation is not None:
        cache.set(key, (generation, user.is_active, permissions, roles), timeout=_seconds())
    return permissions, roles


def of(user) -> tuple[frozenset[str], frozenset[str]]:
    """The user's permissions and roles, read once per instance (a request's user)."""
    cached = user.__dict__.get("_access")
    if cached is None:
        cached = user.__dict__["_access"] = _read(user)
    return cached


def forget(user) -> None:
    """Drop what this instance read (after giving or taking a role to the same object)."""
    user.__dict__.pop("_access", None)
    user.__dict__.pop("_role_names", None)
    for name in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(name, None)


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(changed, sender=through, dispatch_uid=f"access-changed-{through._meta.label}")
    for model in (Group, Permission):
        post_save.connect(changed, sender=model, dispatch_uid=f"access-saved-{model._meta.label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"access-deleted-{model._meta.label}")
    # A new account may take the id of one deleted before (SQLite reuses them): never its entry.
    post_save.connect(_user_created, sender=user_model, dispatch_uid="access-user-created")
    post_delete.connect(changed, sender=user_model, dispatch_uid="access-user-deleted")


def _user_created(sender, instance, created, **_signal) -> None:
    if created:
        changed()
