"""The browser's live connection: authenticated by the Django session, one group per user
and one per department."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.realtime import department_group, user_group

UNAUTHENTICATED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.groups_joined = [user_group(user.pk)]
        if user.department_id:
            self.groups_joined.append(department_group(user.department_id))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def notify(self, event):
        await self.send_json(event["message"])
