"""The one path to the browsers: every live push goes through these functions."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def department_group(department_id: int) -> str:
    return f"department.{department_id}"


def push(group: str, message: dict) -> None:
    """Send `message` to every socket in `group` (synchronous callers: services, tasks)."""
    async_to_sync(get_channel_layer().group_send)(group, {"type": "notify", "message": message})


def push_to_user(user_id: int, message: dict) -> None:
    push(user_group(user_id), message)


def push_to_department(department_id: int, message: dict) -> None:
    push(department_group(department_id), message)
