from django import template

from cases.core import event_labels

register = template.Library()


@register.filter
def event_label(event_type: str) -> str:
    return event_labels.label(event_type)
