from django import template

from cases.core import event_types, states

register = template.Library()


@register.filter
def event_label(event_type: str) -> str:
    return event_types.label(event_type)


@register.filter
def state_label(state: str, kind: str) -> str:
    """A case's state as its kind's enum names it: `in_progress` reads 办理中 (In progress)."""
    return states.state_label(kind, state) if state else ""
