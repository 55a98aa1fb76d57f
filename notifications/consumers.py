"""The browser's live connection: authenticated by the Django session, one group per user, one
per department and, for supervisors, the supervisor board's. On connect it sends the unread
count and the latest items; each notification reaches a socket once, even when it is delivered
twice. A socket ends with its sign-in: it closes (4008, policy violation) when its session ends,
the password changes, the account is switched off or a role that gave it a group is taken away
(notifications/socket_sessions.py)."""

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone, translation

from cases.infra.metrics import WEBSOCKETS
from notifications.models import Notification, in_language
from notifications.realtime import session_control_group, user_control_group
from notifications.services import live_from_web
from notifications.socket_sessions import groups_for, socket_may_stay

logger = logging.getLogger(__name__)

UNAUTHENTICATED = 4401
# The sign-in ended (policy violation). WebSocket's own 1008 cannot be sent by a server through
# daphne (autobahn allows 1000 and 3000-4999 only): 4000 + 1008, as 4401 mirrors HTTP's 401.
SESSION_ENDED = 4008
LATEST = 5


def socket_language(scope) -> str:
    """The language of the pages this socket was opened from: as the pages choose it
    (cases/core/middleware.py), the language switch's cookie, else the office's language."""
    code = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return settings.LANGUAGE_CODE


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user = user
        self.language = socket_language(self.scope)
        self.ended = False
        self.sent_ids: set[int] = set()
        session = self.scope.get("session")
        self.session_key = session.session_key if session is not None else None
        self.notification_groups = await database_sync_to_async(groups_for)(user)
        self.groups_joined = [*self.notification_groups, user_control_group(user.pk)]
        if self.session_key:
            self.groups_joined.append(session_control_group(self.session_key))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.counted = True
        WEBSOCKETS.inc()
        unread, latest, self.last_seen_id = await self._snapshot()
        self.sent_ids.update(item["id"] for item in latest)
        await self.send_json({"type": "hello", "unread": unread, "latest": latest})
        self.poller = asyncio.ensure_future(self._poll_outbox()) if live_from_web() else None
        self.guard = asyncio.ensure_future(self._check_periodically())

    async def disconnect(self, code):
        if getattr(self, "counted", False):
            self.counted = False
            WEBSOCKETS.dec()
        await self._leave()

    async def _leave(self):
        for task in (getattr(self, "poller", None), getattr(self, "guard", None)):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        groups, self.groups_joined = getattr(self, "groups_joined", []), []
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def session_close(self, event):
        """The session signed out: nothing more reaches this socket."""
        await self._end()

    async def session_check(self, event):
        """The account changed: stay only if the session, the account and the roles still allow it."""
        await self._check()

    async def _check(self):
        if self.ended:
            return
        allowed = await database_sync_to_async(socket_may_stay)(
            user_id=self.user.pk, session_key=self.session_key, joined=self.notification_groups
        )
        if not allowed:
            await self._end()

    async def _end(self):
        if self.ended:
            return
        self.ended = True
        await self._leave()
        await self.close(code=SESSION_ENDED)

    async def _check_periodically(self):
        while not self.ended:
            await asyncio.sleep(settings.SOCKET_SESSION_CHECK_SECONDS)
            try:
                await self._check()
            except Exception:
                logger.exception("socket session check failed")

    async def notify(self, event):
        if self.ended:
            return
        message = event["message"]
        if message.get("type") == "notification":
            if message["id"] in self.sent_ids:
                return
            self.sent_ids.add(message["id"])
            with translation.override(self.language):  # said in this socket's language, not the sender's
                message = in_language(message)
        await self.send_json(message)

    @database_sync_to_async
    def _snapshot(self):
        mine = Notification.objects.filter(recipient=self.user)
        unread = mine.filter(read_at__isnull=True).count()
        with translation.override(self.language):
            latest = [in_language(n.as_message()) for n in mine.select_related("case")[:LATEST]]
        last_id = mine.order_by("-id").values_list("id", flat=True).first() or 0
        return unread, latest, last_id

    @database_sync_to_async
    def _new_live_notifications(self) -> list[dict]:
        fresh = list(
            Notification.objects.filter(recipient=self.user, via_live=True, id__gt=self.last_seen_id)
            .select_related("case")
            .order_by("id")[:50]
        )
        if fresh:
            self.last_seen_id = fresh[-1].pk
            Notification.objects.filter(pk__in=[n.pk for n in fresh], live_delivered_at__isnull=True).update(
                live_delivered_at=timezone.now()
            )
        return [n.as_message() for n in fresh]

    async def _poll_outbox(self):
        # Embedded default only: the worker cannot reach this process's in-memory layer.
        while True:
            await asyncio.sleep(settings.NOTIFICATIONS_POLL_SECONDS)
            for message in await self._new_live_notifications():
                await self.notify({"message": message})
