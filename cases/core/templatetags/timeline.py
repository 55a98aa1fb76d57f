from django import template

from cases.core import event_types

register = template.Library()


@register.filter
def event_label(event_type: str) -> str:
    return event_types.label(event_type)
