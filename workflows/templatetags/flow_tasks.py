from django import template

from workflows import engine

register = template.Library()


@register.inclusion_tag("workflows/current_tasks.html", takes_context=True)
def current_tasks(context, case):
    """What the case waits on now, and who holds it: the open tasks of its process."""
    return {"tasks": list(engine.active_tasks(case)), "user": context.get("user")}
