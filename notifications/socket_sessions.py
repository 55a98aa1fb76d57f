"""A live socket lasts no longer than the sign-in it was opened with.

Each socket joins two control groups (its user's and its session's). Sign-out closes the
session's sockets at once; a change to the account (password, active flag, department, roles or
permissions) makes every socket of that user check again, after commit. Each socket also checks
on a timer (SOCKET_SESSION_CHECK_SECONDS), so a session deleted or expired by other means ends
its sockets too.
"""

import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.crypto import constant_time_compare

from notifications.realtime import (
    board_group,
    close_session_sockets,
    department_group,
    recheck_user_sockets,
    user_group,
)

logger = logging.getLogger(__name__)

# The permission that puts a socket in the supervisor board's group.
BOARD_PERMISSION = "cases.supervise_all_cases"


def groups_for(user) -> list[str]:
    """The notification groups this user's sockets may be in, as the account stands now."""
    groups = [user_group(user.pk)]
    if user.department_id:
        groups.append(department_group(user.department_id))
    if user.has_perm(BOARD_PERMISSION):
        groups.append(board_group())
    return groups


def socket_may_stay(*, user_id: int, session_key: str | None, joined: list[str]) -> bool:
    """True while the account is active, the session still signs this user in with the current
    password, and every group the socket joined is still the user's."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.is_active:
        return False
    if session_key is not None and not _session_signs_in(session_key, user):
        return False
    return set(joined) <= set(groups_for(user))


def _session_signs_in(session_key: str, user) -> bool:
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    data = store.load()  # empty when the session was deleted, flushed or has expired
    if str(data.get(SESSION_KEY, "")) != user._meta.pk.value_to_string(user):
        return False
    stored = data.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(stored, h) for h in hashes)


def _after_commit(send, *args) -> None:
    def run():
        try:
            send(*args)
        except Exception:
            # The socket's own timer closes it within SOCKET_SESSION_CHECK_SECONDS anyway.
            logger.exception("socket control message not sent", extra={"send": send.__name__})

    transaction.on_commit(run)


def _signed_out(sender, request=None, user=None, **kwargs):
    session = getattr(request, "session", None)
    if session is None or not session.session_key:
        return
    key = session.session_key
    # Django flushes the session only after this signal. It ends here first, so that a page which
    # reloads when its socket closes already finds itself signed out (Django's flush then finds
    # nothing left to delete).
    session.__class__().delete(key)
    _after_commit(close_session_sockets, key)


def _user_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if created or (update_fields and set(update_fields) <= {"last_login"}):
        return
    _after_commit(recheck_user_sockets, instance.pk)


def _user_deleted(sender, instance, **kwargs):
    _after_commit(recheck_user_sockets, instance.pk)


def _user_relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A user's groups or own permissions changed (from either side of the relation)."""
    if action == "pre_clear" and reverse:
        instance._socket_users_before_clear = list(instance.user_set.values_list("pk", flat=True))
        return
    if action not in ("post_remove", "post_clear"):
        return
    if not reverse:
        user_ids = [instance.pk]
    elif action == "post_clear":
        user_ids = getattr(instance, "_socket_users_before_clear", [])
    else:
        user_ids = list(pk_set or [])
    for user_id in user_ids:
        _after_commit(recheck_user_sockets, user_id)


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A role lost permissions: every member checks again."""
    if action == "pre_clear":
        instance._socket_users_before_clear = _members(instance, reverse, None)
        return
    if action not in ("post_remove", "post_clear"):
        return
    if action == "post_clear":
        user_ids = getattr(instance, "_socket_users_before_clear", [])
    else:
        user_ids = _members(instance, reverse, pk_set)
    for user_id in user_ids:
        _after_commit(recheck_user_sockets, user_id)


def _members(instance, reverse, pk_set) -> list[int]:
    users = get_user_model().objects
    if not reverse:  # instance is a Group
        return list(users.filter(groups=instance).values_list("pk", flat=True))
    groups = Group.objects.filter(permissions=instance)
    if pk_set is not None:
        groups = Group.objects.filter(pk__in=pk_set)
    return list(users.filter(groups__in=groups).distinct().values_list("pk", flat=True))


def connect_signals() -> None:
    user_model = get_user_model()
    user_logged_out.connect(_signed_out, dispatch_uid="socket-sessions-signed-out")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="socket-sessions-user-saved")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid="socket-sessions-user-deleted")
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(_user_relations_changed, sender=through, dispatch_uid=f"socket-sessions-{through}")
    m2m_changed.connect(
        _group_permissions_changed, sender=Group.permissions.through, dispatch_uid="socket-sessions-group-perms"
    )
