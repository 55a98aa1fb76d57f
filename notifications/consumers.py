"""The browser's live connection: authenticated by the Django session, one group per user, one
per department and, for supervisors, the supervisor board's. On connect it sends the unread
count and the latest items; each notification reaches a socket once, even when it is delivered
twice."""

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from notifications.models import Notification
from notifications.realtime import board_group, department_group, user_group
from notifications.services import live_from_web

UNAUTHENTICATED = 4401
LATEST = 5


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user = user
        self.sent_ids: set[int] = set()
        self.groups_joined = [user_group(user.pk)]
        if user.department_id:
            self.groups_joined.append(department_group(user.department_id))
        if await database_sync_to_async(user.has_perm)("cases.supervise_all_cases"):
            self.groups_joined.append(board_group())
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        unread, latest, self.last_seen_id = await self._snapshot()
        self.sent_ids.update(item["id"] for item in latest)
        await self.send_json({"type": "hello", "unread": unread, "latest": latest})
        self.poller = asyncio.ensure_future(self._poll_outbox()) if live_from_web() else None

    async def disconnect(self, code):
        if getattr(self, "poller", None):
            self.poller.cancel()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def notify(self, event):
        message = event["message"]
        if message.get("type") == "notification":
            if message["id"] in self.sent_ids:
                return
            self.sent_ids.add(message["id"])
        await self.send_json(message)

    @database_sync_to_async
    def _snapshot(self):
        mine = Notification.objects.filter(recipient=self.user)
        unread = mine.filter(read_at__isnull=True).count()
        latest = [n.as_message() for n in mine.select_related("case")[:LATEST]]
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
